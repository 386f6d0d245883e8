package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/**
 * A {@code @WriteBehind} method as the queue sees it: {@code save(Long id, String value)}, recorded; its
 * id is {@code Prices#save(Long,String)} unless given.
 */
final class AppliedCalls implements WriteBehindMethod {

	private final TieredCache cache;

	private final String id;

	final Map<Long, String> applied = new ConcurrentHashMap<>();

	AppliedCalls(TieredCache cache) {
		this(cache, "Prices#save(Long,String)");
	}

	AppliedCalls(TieredCache cache, String id) {
		this.cache = cache;
		this.id = id;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public TieredCache cache() {
		return this.cache;
	}

	@Override
	public Type[] parameterTypes() {
		return new Type[] { Long.class, String.class };
	}

	@Override
	public void apply(@Nullable Object[] arguments) {
		this.applied.put((Long) arguments[0], (String) arguments[1]);
	}

	@Override
	public boolean hasBatchMethod() {
		return false;
	}

	@Override
	public void applyBatch(List<@Nullable Object[]> calls) {
		throw new UnsupportedOperationException("no batch method");
	}

}
