package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.read.BatchLoader;
import dev.tiercache.internal.read.ResultTags;
import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.internal.read.ValueLoader;

/**
 * A {@link TieredCache}'s reads of one value type with one set of entry TTLs: the type's raw class is
 * resolved here once, so that a peek only looks L1 up.
 */
final class CacheReads implements TypedReads {

	private final TieredCache cache;

	private final Type type;

	private final Class<?> rawType;

	private final CacheSettings entrySettings;

	CacheReads(TieredCache cache, Type type, CacheSettings entrySettings) {
		this.cache = cache;
		this.type = type;
		this.rawType = Types.rawClass(type);
		this.entrySettings = entrySettings;
	}

	@Override
	public @Nullable Object peek(Object key, Object absent) {
		return this.cache.peekLocal(key, this.type, this.rawType, absent);
	}

	@Override
	public @Nullable Object getOrLoad(Object key, ValueLoader loader, @Nullable Predicate<@Nullable Object> unless,
			@Nullable ResultTags tags) throws Throwable {
		return this.cache.getOrLoad(key, this.type, this.rawType, this.entrySettings, loader, unless, tags);
	}

	@Override
	public Map<Object, @Nullable Object> getAll(Collection<?> keys, BatchLoader loader,
			@Nullable Predicate<@Nullable Object> unless) throws Throwable {
		return this.cache.readAll(keys, this.type, this.entrySettings, loader, unless);
	}

	@Override
	public void requireNameable(Object key) {
		this.cache.requireNameable(key);
	}

}
