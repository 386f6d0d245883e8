package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheEvictOperation;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.KeyGenerator;

import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.tier.TieredCache;

/**
 * Spring's cache operations on a method that declares several of them (as {@code @Caching} does, or
 * {@code @Cacheable} beside {@code @CachePut}) or names several caches in one, all on
 * {@link TieredCache}s, none {@code sync}: parsed once, and run in the order and with the semantics of
 * Spring's interceptor for such a method.
 * <ol>
 * <li>Evictions with {@code beforeInvocation} run first, whatever the method then does.</li>
 * <li>Each {@code @Cacheable} whose {@code condition} holds reads its caches in the order it names them;
 * the first hit is the result.</li>
 * <li>On a hit, the method runs only if a {@code @CachePut} may apply (its {@code condition} holds, or
 * reads {@code #result}); otherwise the hit is returned (wrapped again in an {@code Optional} where the
 * method returns one).</li>
 * <li>On a miss, the method runs, and every {@code @Cacheable} whose {@code condition} held puts the
 * result, unless {@code unless} says otherwise; every {@code @CachePut} whose {@code condition} holds
 * puts it too, hit or miss, its key and {@code unless} seeing the result as {@code #result}
 * ({@code Optional} unwrapped).</li>
 * <li>Evictions after the invocation run last, on a hit too, seeing the method's result as it returned
 * it; not at all if the method threw.</li>
 * </ol>
 * Each operation's {@code condition} and key are evaluated at most once per call. A failure of a cache
 * goes to the {@link CacheErrorHandler} (a read that fails is a miss); what the method throws reaches the
 * caller unchanged. Unlike the single {@code @Cacheable} ({@link SpringCacheableOperation}), a miss here
 * is not loaded once across callers, as in Spring. Immutable and thread-safe.
 */
final class SpringCachingOperation implements SpringFastOperation {

	private static final Object MISS = new Object();

	private final List<Step> cacheables;

	private final List<Step> puts;

	private final List<Step> evicts;

	private final int steps;

	private final boolean optionalResult;

	private final CacheErrorHandler errorHandler;

	/**
	 * @param steps the method's operations, each parsed, in the order Spring's operation source gives them
	 */
	SpringCachingOperation(List<Step> steps, Method method, CacheErrorHandler errorHandler) {
		this.cacheables = steps.stream().filter((step) -> step.operation instanceof CacheableOperation).toList();
		this.puts = steps.stream().filter((step) -> step.operation instanceof CachePutOperation).toList();
		this.evicts = steps.stream().filter((step) -> step.operation instanceof CacheEvictOperation).toList();
		this.steps = steps.size();
		this.optionalResult = method.getReturnType() == Optional.class;
		this.errorHandler = errorHandler;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		CallState call = new CallState(invocation.getArguments(), invocation.getThis(), this.steps);
		evict(call, true, null);
		Object hit = cachedValue(call);
		Object returned;
		Object value;
		if (hit != MISS && !mayPut(call)) {
			value = hit;
			returned = SpringOperation.toResult(this.optionalResult, hit);
		}
		else {
			returned = invocation.proceed();
			value = SpringOperation.toCached(this.optionalResult, returned);
		}
		put(call, hit == MISS, value);
		evict(call, false, returned);
		return returned;
	}

	/** The first hit of the {@code @Cacheable}s whose condition holds, in their caches' order; or {@link #MISS}. */
	private @Nullable Object cachedValue(CallState call) {
		for (Step cacheable : this.cacheables) {
			if (cacheable.conditionHolds(call, false, null)) {
				Object key = cacheable.key(call, false, null);
				for (int i = 0; i < cacheable.caches.size(); i++) {
					Object cached = read(cacheable, i, key);
					if (cached != MISS) {
						return cached;
					}
				}
			}
		}
		return MISS;
	}

	private @Nullable Object read(Step cacheable, int cacheIndex, Object key) {
		try {
			Object cached = cacheable.reads[cacheIndex].peek(key, MISS);
			if (cached != MISS) {
				return cached;
			}
			Cache.ValueWrapper found = cacheable.views[cacheIndex].get(key);
			return (found != null) ? found.get() : MISS;
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheGetError(ex, cacheable.caches.get(cacheIndex), key);
			return MISS;
		}
	}

	/**
	 * After a hit: whether a {@code @CachePut} may apply, so that the method must run; a condition that
	 * reads {@code #result} counts as holding, as in Spring, and is evaluated again once the result is known.
	 */
	private boolean mayPut(CallState call) {
		boolean mayPut = false;
		for (Step put : this.puts) {
			Boolean holds = put.conditionHoldsBeforeTheResult(call.arguments, call.target);
			if (holds != null) {
				call.conditions[put.index] = holds;
			}
			mayPut |= (holds == null || holds);
		}
		return mayPut;
	}

	/**
	 * Puts the value for the {@code @Cacheable}s (after a miss) and the {@code @CachePut}s whose condition
	 * holds, all conditions evaluated before the first put, as Spring collects its put requests first.
	 */
	private void put(CallState call, boolean missed, @Nullable Object value) {
		List<Step> cacheables = missed ? this.cacheables : List.of();
		for (Step put : this.puts) {
			put.conditionHolds(call, true, value);
		}
		for (Step step : cacheables) {
			putIfHolds(call, step, value);
		}
		for (Step step : this.puts) {
			putIfHolds(call, step, value);
		}
	}

	private void putIfHolds(CallState call, Step step, @Nullable Object value) {
		if (!step.conditionHolds(call, true, value) || (step.unless != null
				&& step.unless.isTrue(step.call(call.arguments, call.target), true, value))) {
			return;
		}
		Object key = step.key(call, true, value);
		Type valueType = Objects.requireNonNull(step.valueType, "a put has a value type");
		for (TieredCache cache : step.caches) {
			step.put(cache, key, value, valueType);
		}
	}

	/** Runs the evictions that come before the invocation, or those after it, in the order declared. */
	private void evict(CallState call, boolean beforeInvocation, @Nullable Object result) {
		for (Step evict : this.evicts) {
			if (evict.beforeInvocation == beforeInvocation && evict.conditionHolds(call, !beforeInvocation, result)) {
				for (TieredCache cache : evict.caches) {
					if (evict.allEntries) {
						evict.clear(cache, beforeInvocation);
					}
					else {
						evict.evict(cache, evict.key(call, !beforeInvocation, result), beforeInvocation);
					}
				}
			}
		}
	}

	/**
	 * One operation of the method, on its caches; its condition and key are kept per call, in the
	 * call's slots at {@link #index}.
	 */
	static final class Step extends SpringOperation {

		private final int index;

		private final @Nullable SpringExpression unless;

		/** The type values are read and written as; {@code null} for an eviction. */
		private final @Nullable Type valueType;

		private final TypedReads[] reads;

		private final Cache[] views;

		private final boolean allEntries;

		private final boolean beforeInvocation;

		/**
		 * @param index the step's place among the method's operations
		 * @param valueType the method's value type; {@code null} for an eviction
		 * @param keyGenerator the generator of keys when {@code key} is {@code null}; {@code null} for
		 * Spring's default
		 */
		Step(int index, CacheOperation operation, Method method, Class<?> targetClass, List<TieredCache> caches,
				@Nullable Type valueType, @Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator,
				@Nullable SpringExpression condition, @Nullable SpringExpression unless,
				CacheErrorHandler errorHandler) {
			super(operation, method, targetClass, caches, key, keyGenerator, condition, errorHandler);
			this.index = index;
			this.valueType = valueType;
			this.unless = unless;
			boolean reads = operation instanceof CacheableOperation && valueType != null;
			this.reads = reads ? caches.stream().map((cache) -> cache.reads(valueType, cache.settings()))
				.toArray(TypedReads[]::new) : new TypedReads[0];
			this.views = reads ? caches.stream().map((cache) -> cache.withValueType(valueType)).toArray(Cache[]::new)
					: new Cache[0];
			this.allEntries = (operation instanceof CacheEvictOperation evict) && evict.isCacheWide();
			this.beforeInvocation = (operation instanceof CacheEvictOperation evict) && evict.isBeforeInvocation();
		}

		/** Whether the condition holds for the call, evaluated on the first ask. */
		boolean conditionHolds(CallState call, boolean hasResult, @Nullable Object result) {
			Boolean holds = call.conditions[this.index];
			if (holds == null) {
				holds = conditionHolds(call.arguments, call.target, hasResult, result);
				call.conditions[this.index] = holds;
			}
			return holds;
		}

		/** The key for the call, generated on the first ask. */
		Object key(CallState call, boolean hasResult, @Nullable Object result) {
			Object key = call.keys[this.index];
			if (key == null) {
				key = key(call.arguments, call.target, hasResult, result);
				call.keys[this.index] = key;
			}
			return key;
		}

	}

	/** One call: its arguments, and each step's condition and key once evaluated. */
	static final class CallState {

		private final @Nullable Object[] arguments;

		private final @Nullable Object target;

		private final @Nullable Boolean[] conditions;

		private final @Nullable Object[] keys;

		CallState(@Nullable Object[] arguments, @Nullable Object target, int steps) {
			this.arguments = arguments;
			this.target = target;
			this.conditions = new Boolean[steps];
			this.keys = new Object[steps];
		}

	}

}
