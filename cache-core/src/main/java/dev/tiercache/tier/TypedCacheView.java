package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * A {@link TieredCache} seen with a fixed value type: what Spring's cache interceptor gets for a
 * method, so that its untyped calls decode Redis payloads to the method's return type. Holds no state
 * of its own.
 */
final class TypedCacheView implements Cache {

	private final TieredCache cache;

	private final Type valueType;

	TypedCacheView(TieredCache cache, Type valueType) {
		this.cache = cache;
		this.valueType = valueType;
	}

	@Override
	public String getName() {
		return this.cache.getName();
	}

	@Override
	public Object getNativeCache() {
		return this.cache;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return this.cache.lookup(key, this.valueType, false);
	}

	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		return this.cache.get(key, type);
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		return this.cache.get(key, this.valueType, valueLoader);
	}

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return this.cache.retrieve(key, this.valueType);
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return this.cache.retrieve(key, this.valueType, valueLoader);
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		this.cache.put(key, value, this.valueType);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		return this.cache.putIfAbsent(key, value, this.valueType);
	}

	@Override
	public void evict(Object key) {
		this.cache.evict(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.cache.evictIfPresent(key);
	}

	@Override
	public void clear() {
		this.cache.clear();
	}

	@Override
	public boolean invalidate() {
		return this.cache.invalidate();
	}

	@Override
	public String toString() {
		return this.cache + " as " + this.valueType.getTypeName();
	}

}
