package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.SimpleKeyGenerator;

import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.tier.TieredCache;

/**
 * Spring's {@code @Cacheable} on one method whose one cache is a {@link TieredCache}, parsed once, run
 * with the semantics of Spring's interceptor for a method with that one operation: {@code condition}
 * first (when it fails, the method just runs), the key ({@code key}, the operation's
 * {@code keyGenerator} or the interceptor's), a hit returned without running the method, and on a
 * miss the method run and its result cached unless {@code unless} says otherwise, both seeing an
 * {@code Optional} result unwrapped; a {@code null} key is refused with Spring's message. A failure of
 * the cache goes to the {@link CacheErrorHandler}, and if the handler returns, the method runs (and,
 * unless {@code sync}, its result is put, a failure of that going to the handler too). What the method
 * throws reaches the caller unchanged.
 *
 * <p>What is faster than Spring's interceptor: the hit is answered from L1 through the cache's typed
 * reads, without allocating where the key needs no SpEL, and a miss reads Redis and loads once across
 * threads and instances ({@link TypedReads#getOrLoad}), {@code sync} or not. Immutable and
 * thread-safe.
 */
final class SpringCacheableOperation {

	private static final Object ABSENT = new Object();

	private final CacheableOperation operation;

	private final Method method;

	private final Class<?> targetClass;

	private final TieredCache cache;

	private final Type valueType;

	private final TypedReads reads;

	private final @Nullable SpringExpression key;

	private final @Nullable KeyGenerator keyGenerator;

	private final @Nullable SpringExpression condition;

	private final @Nullable SpringExpression unless;

	private final boolean optionalResult;

	private final CacheErrorHandler errorHandler;

	/**
	 * @param keyGenerator the generator of keys when {@code key} is {@code null}; {@code null} for Spring's
	 * {@link SimpleKeyGenerator}
	 */
	SpringCacheableOperation(CacheableOperation operation, Method method, Class<?> targetClass, TieredCache cache,
			Type valueType, @Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator,
			@Nullable SpringExpression condition, @Nullable SpringExpression unless, CacheErrorHandler errorHandler) {
		this.operation = operation;
		this.method = method;
		this.targetClass = targetClass;
		this.cache = cache;
		this.valueType = valueType;
		this.reads = cache.reads(valueType, cache.settings());
		this.key = key;
		this.keyGenerator = keyGenerator;
		this.condition = condition;
		this.unless = unless;
		this.optionalResult = method.getReturnType() == Optional.class;
		this.errorHandler = errorHandler;
	}

	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		if (this.condition != null && !this.condition.isTrue(call(arguments, target), false, null)) {
			return invocation.proceed();
		}
		Object key = key(arguments, target);
		Object cached = peek(key);
		return (cached != ABSENT) ? toResult(cached) : readThrough(invocation, key);
	}

	private Object key(@Nullable Object[] arguments, Object target) {
		Object key;
		if (this.key != null) {
			key = this.key.value(call(arguments, target), false, null);
		}
		else {
			key = (this.keyGenerator != null) ? this.keyGenerator.generate(target, this.method, arguments)
					: SimpleKeyGenerator.generateKey(arguments);
		}
		if (key == null) {
			throw new IllegalArgumentException("Null key returned for cache operation [" + this.operation
					+ "]. If you are using named parameters, ensure that the compiler uses the '-parameters' flag.");
		}
		return key;
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

	/** After an L1 miss: kept out of {@link #invoke} so that the hit path stays small enough to inline. */
	private @Nullable Object readThrough(MethodInvocation invocation, Object key) throws Throwable {
		MethodInvocation loading = TiercacheInterceptor.loadingInvocation(invocation, this.cache.settings());
		Object value;
		try {
			value = this.reads.getOrLoad(key, () -> toCached(proceed(loading)),
					unlessRule(invocation.getArguments(), invocation.getThis()));
		}
		catch (MethodFailure failure) {
			throw failure.getCause();
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheGetError(ex, this.cache, key);
			return invokeUncached(invocation, key);
		}
		return toResult(value);
	}

	/** Runs the method; what it throws, but an {@code Error}, is carried out of the cache as a {@link MethodFailure}. */
	private static @Nullable Object proceed(MethodInvocation invocation) {
		try {
			return invocation.proceed();
		}
		catch (Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new MethodFailure(ex);
		}
	}

	/** After a cache failure the error handler let pass: the method runs, and its result is put as Spring would. */
	private @Nullable Object invokeUncached(MethodInvocation invocation, Object key) throws Throwable {
		Object result = invocation.proceed();
		if (this.operation.isSync()) {
			return result;
		}
		Object value = toCached(result);
		Predicate<@Nullable Object> unless = unlessRule(invocation.getArguments(), invocation.getThis());
		if (unless == null || !unless.test(value)) {
			try {
				this.cache.put(key, value, this.valueType);
			}
			catch (RuntimeException ex) {
				this.errorHandler.handleCachePutError(ex, this.cache, key, value);
			}
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

	private SpringExpression.Call call(@Nullable Object[] arguments, @Nullable Object target) {
		return new SpringExpression.Call(List.of(this.cache), this.method, arguments, target, this.targetClass);
	}

	private @Nullable Object toCached(@Nullable Object result) {
		return (this.optionalResult && result != null) ? ((Optional<?>) result).orElse(null) : result;
	}

	private @Nullable Object toResult(@Nullable Object cached) {
		return this.optionalResult ? Optional.ofNullable(cached) : cached;
	}

	@Override
	public String toString() {
		return this.operation + " on " + this.method;
	}

	/** What the method threw, carried through the cache's load. */
	private static final class MethodFailure extends RuntimeException {

		MethodFailure(Throwable cause) {
			super(null, cause, false, false);
		}

	}

}
