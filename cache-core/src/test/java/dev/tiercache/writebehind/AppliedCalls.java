package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/** A {@code @WriteBehind} method as the queue sees it: {@code save(Long id, String value)}, recorded. */
final class AppliedCalls implements WriteBehindMethod {

	private final TieredCache cache;

	final Map<Long, String> applied = new ConcurrentHashMap<>();

	AppliedCalls(TieredCache cache) {
		this.cache = cache;
	}

	@Override
	public String id() {
		return "Prices#save(Long,String)";
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
