package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;

import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.tier.TieredCache;

/**
 * What {@code @CacheAside(batch = true)} asks of one method, parsed and checked once: the cache, the
 * reads of its values, the conditions, and the shapes of its ids and its result. A call reads all ids
 * through {@link TypedReads#getAll}, and the method runs, on a copy of the call, with only the ids the
 * cache misses. Immutable and thread-safe.
 */
final class BatchReadOperation implements MethodOperation {

	/** How a batch method returns its values. */
	enum Result {

		/** A {@code Map} of values by id, without the ids that have none. */
		MAP,

		/** A {@code List} of one value per id, in the ids' order, {@code null} for none. */
		LIST

	}

	private final Method method;

	private final TieredCache cache;

	private final TypedReads reads;

	private final @Nullable MethodExpression condition;

	private final @Nullable MethodExpression unless;

	private final boolean idsAsSet;

	private final Result result;

	/**
	 * @param idsAsSet whether the method takes its ids as a {@code Set} (else a {@code List} is passed)
	 */
	BatchReadOperation(Method method, TieredCache cache, TypedReads reads, @Nullable MethodExpression condition,
			@Nullable MethodExpression unless, boolean idsAsSet, Result result) {
		this.method = method;
		this.cache = cache;
		this.reads = reads;
		this.condition = condition;
		this.unless = unless;
		this.idsAsSet = idsAsSet;
		this.result = result;
	}

	/** Reads the call's ids through the cache; the method runs with the ids it misses, if any. */
	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		MethodExpression expression = this.condition;
		if (!(arguments[0] instanceof Collection<?> ids) || !(invocation instanceof ProxyMethodInvocation proxied)
				|| (expression != null && !expression.test(arguments, target, false, null))) {
			return invocation.proceed();
		}
		// a copy taken now, before the call returns: a background reload of an id runs on copies of it
		ProxyMethodInvocation template = (ProxyMethodInvocation) proxied.invocableClone();
		Map<Object, @Nullable Object> found = this.reads.getAll(ids,
				(missing) -> valuesById(missing, template.invocableClone(idsArgument(missing)).proceed()),
				unlessRule(arguments, target));
		return (this.result == Result.MAP) ? asMap(ids, found) : asList(ids, found);
	}

	private Object[] idsArgument(List<Object> missing) {
		return new Object[] { this.idsAsSet ? new LinkedHashSet<>(missing) : new ArrayList<>(missing) };
	}

	private @Nullable Predicate<@Nullable Object> unlessRule(@Nullable Object[] arguments, @Nullable Object target) {
		MethodExpression expression = this.unless;
		return (expression != null) ? (value) -> expression.test(arguments, target, true, value) : null;
	}

	/**
	 * The values the method returned for the ids it was called with, by id.
	 * @throws IllegalStateException if a {@code List} result does not hold one value per id
	 */
	private Map<?, ?> valuesById(List<Object> ids, @Nullable Object returned) {
		if (returned == null) {
			return Map.of();
		}
		if (this.result == Result.MAP) {
			return (Map<?, ?>) returned;
		}
		List<?> values = (List<?>) returned;
		if (values.size() != ids.size()) {
			throw new IllegalStateException(this + " returned " + values.size() + " values for " + ids.size()
					+ " ids; a List result must hold one value per id, in the ids' order (null for none)");
		}
		Map<Object, @Nullable Object> byId = new LinkedHashMap<>(ids.size() * 2);
		for (int i = 0; i < values.size(); i++) {
			byId.put(ids.get(i), values.get(i));
		}
		return byId;
	}

	private static Map<Object, Object> asMap(Collection<?> ids, Map<Object, @Nullable Object> found) {
		Map<Object, Object> values = new LinkedHashMap<>(found.size() * 2);
		for (Object id : ids) {
			Object value = found.get(id);
			if (value != null) {
				values.put(id, value);
			}
		}
		return values;
	}

	private static List<@Nullable Object> asList(Collection<?> ids, Map<Object, @Nullable Object> found) {
		List<@Nullable Object> values = new ArrayList<>(ids.size());
		for (Object id : ids) {
			values.add(found.get(id));
		}
		return values;
	}

	@Override
	public String toString() {
		return "@CacheAside(cache = " + this.cache.getName() + ", batch = true) on " + this.method;
	}

}
