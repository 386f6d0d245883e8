package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.KeyGenerator;

import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.tier.TieredCache;

/**
 * Spring's {@code @Cacheable} alone on a method and on one {@link TieredCache}: {@code condition} first
 * (when it fails, the method just runs), then the key; a hit returns without running the method; on a
 * miss the method runs and its result is cached unless {@code unless} says otherwise, both seeing an
 * {@code Optional} result unwrapped; a {@code null} result of a cache that refuses nulls fails as
 * Spring's put of it does. A key the cache cannot name goes to the error handler, and if the handler
 * returns, the method runs (and, unless {@code sync}, its result is put, a failure of that going to the
 * handler too). What the method throws reaches the caller unchanged; so does another caller's failed
 * load of the key, which this one waited for instead of running the method too.
 *
 * <p>What is faster than Spring's interceptor: the hit is answered from L1 through the cache's typed
 * reads, without allocating where the key needs no SpEL, and a miss reads Redis and loads once across
 * threads and instances ({@link TypedReads#getOrLoad}), {@code sync} or not. Immutable and thread-safe.
 */
final class SpringCacheableOperation extends SpringOperation implements SpringFastOperation {

	private final TieredCache cache;

	private static final Object ABSENT = new Object();

	private final CacheableOperation cacheable;

	private final Type valueType;

	private final TypedReads reads;

	private final @Nullable SpringExpression unless;

	SpringCacheableOperation(CacheableOperation operation, Method method, Class<?> targetClass, TieredCache cache,
			Type valueType, @Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator,
			@Nullable SpringExpression condition, @Nullable SpringExpression unless, CacheErrorHandler errorHandler) {
		super(operation, method, targetClass, List.of(cache), key, keyGenerator, condition, errorHandler);
		this.cache = cache;
		this.cacheable = operation;
		this.valueType = valueType;
		this.reads = cache.reads(valueType, cache.settings());
		this.unless = unless;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		if (!conditionHolds(arguments, target, false, null)) {
			return invocation.proceed();
		}
		Object key = key(arguments, target, false, null);
		Object cached = peek(key);
		return (cached != ABSENT) ? toResult(cached) : readThrough(invocation, key);
	}

	private @Nullable Object peek(Object key) {
		try {
			return this.reads.peek(key, ABSENT);
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheGetError(ex, this.cache, key);
			return ABSENT;
		}
	}

	/**
	 * After an L1 miss: kept out of {@link #invoke} so that the hit path stays small enough to inline. A
	 * key the cache cannot name is a cache failure, for the error handler, as in Spring; what the load
	 * throws (the method's exception, {@code unless} failing, a load limit's refusal, or the exception of
	 * another caller's load of the key, which this call waited for) reaches the caller unchanged.
	 */
	private @Nullable Object readThrough(MethodInvocation invocation, Object key) throws Throwable {
		try {
			this.reads.requireNameable(key);
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheGetError(ex, this.cache, key);
			return invokeUncached(invocation, key);
		}
		MethodInvocation loading = TiercacheInterceptor.loadingInvocation(invocation, this.cache.settings());
		Predicate<@Nullable Object> unless = unlessRule(invocation.getArguments(), invocation.getThis());
		Object value = this.reads.getOrLoad(key, () -> toCached(loading.proceed()), unless);
		if (value == null && !this.cache.settings().allowNullValues() && (unless == null || !unless.test(null))) {
			put(key, null);
		}
		return toResult(value);
	}

	/**
	 * Puts a value as Spring's interceptor does after a miss: a failure (such as a {@code null} a cache
	 * that refuses nulls throws on) goes to the error handler, or, with {@code sync}, to the caller.
	 */
	private void put(Object key, @Nullable Object value) {
		if (this.cacheable.isSync()) {
			this.cache.put(key, value, this.valueType);
		}
		else {
			put(this.cache, key, value, this.valueType);
		}
	}

	/** After a cache failure the error handler let pass: the method runs, and its result is put as Spring would. */
	private @Nullable Object invokeUncached(MethodInvocation invocation, Object key) throws Throwable {
		Object result = invocation.proceed();
		if (this.cacheable.isSync()) {
			return result;
		}
		Object value = toCached(result);
		Predicate<@Nullable Object> unless = unlessRule(invocation.getArguments(), invocation.getThis());
		if (unless == null || !unless.test(value)) {
			put(key, value);
		}
		return result;
	}

	private @Nullable Predicate<@Nullable Object> unlessRule(@Nullable Object[] arguments, @Nullable Object target) {
		SpringExpression expression = this.unless;
		if (expression == null) {
			return null;
		}
		SpringExpression.Call call = call(arguments, target);
		return (value) -> expression.isTrue(call, true, value);
	}

}
