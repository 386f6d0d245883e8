package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.SimpleKeyGenerator;
import org.springframework.util.ObjectUtils;

import dev.tiercache.tier.TieredCache;

/**
 * What one of Spring's cache operations ({@code @Cacheable}, {@code @CachePut}, {@code @CacheEvict}) asks
 * of a method on its {@link TieredCache}s, parsed once, with the semantics of Spring's interceptor: the
 * parts all three share, the key ({@code key} SpEL, the operation's {@code keyGenerator} or the
 * interceptor's; a {@code null} key refused with Spring's message), the {@code condition}, the root object
 * SpEL sees, and the {@link CacheErrorHandler}. Immutable and thread-safe.
 */
abstract class SpringOperation {

	/** The operation, for messages. */
	final CacheOperation operation;

	final Method method;

	/** The operation's caches, in the order it names them. */
	final List<TieredCache> caches;

	final CacheErrorHandler errorHandler;

	/** Whether the method returns an {@code Optional}, which Spring unwraps to cache and wraps to return. */
	final boolean optionalResult;

	private final Class<?> targetClass;

	private final @Nullable SpringExpression key;

	private final @Nullable KeyGenerator keyGenerator;

	private final @Nullable SpringExpression condition;

	/**
	 * @param keyGenerator the generator of keys when {@code key} is {@code null}; {@code null} for Spring's
	 * {@link SimpleKeyGenerator}
	 */
	SpringOperation(CacheOperation operation, Method method, Class<?> targetClass, List<TieredCache> caches,
			@Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator, @Nullable SpringExpression condition,
			CacheErrorHandler errorHandler) {
		this.operation = operation;
		this.method = method;
		this.targetClass = targetClass;
		this.caches = caches;
		this.key = key;
		this.keyGenerator = keyGenerator;
		this.condition = condition;
		this.errorHandler = errorHandler;
		this.optionalResult = method.getReturnType() == Optional.class;
	}

	/**
	 * Whether the {@code condition} holds for a call before its method has run; {@code null} if the
	 * condition reads {@code #result}, which is not known yet.
	 */
	final @Nullable Boolean conditionHoldsBeforeTheResult(@Nullable Object[] arguments, @Nullable Object target) {
		return (this.condition != null) ? this.condition.isTrueBeforeTheResult(call(arguments, target)) : Boolean.TRUE;
	}

	/** Whether the {@code condition} holds for a call; {@code #result} is defined only when {@code hasResult}. */
	final boolean conditionHolds(@Nullable Object[] arguments, @Nullable Object target, boolean hasResult,
			@Nullable Object result) {
		return this.condition == null || this.condition.isTrue(call(arguments, target), hasResult, result);
	}

	/** The key of a call; {@code #result} is defined only when {@code hasResult}. */
	final Object key(@Nullable Object[] arguments, @Nullable Object target, boolean hasResult,
			@Nullable Object result) {
		Object key;
		if (this.key != null) {
			key = this.key.value(call(arguments, target), hasResult, result);
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

	/** The root object of this operation's SpEL for a call. */
	final SpringExpression.Call call(@Nullable Object[] arguments, @Nullable Object target) {
		return new SpringExpression.Call(this.caches, this.method, arguments, target, this.targetClass);
	}

	/**
	 * A method's result as Spring caches it: an {@code Optional} unwrapped.
	 * @throws IllegalArgumentException if the result is an {@code Optional} of an {@code Optional}
	 */
	final @Nullable Object toCached(@Nullable Object result) {
		return toCached(this.optionalResult, result);
	}

	/** A cached value as the method returns it: wrapped in an {@code Optional} where it returns one. */
	final @Nullable Object toResult(@Nullable Object cached) {
		return toResult(this.optionalResult, cached);
	}

	/**
	 * A method's result as Spring caches it ({@code ObjectUtils.unwrapOptional}, which refuses an
	 * {@code Optional} of an {@code Optional} whatever the method declares, as Spring's interceptor does
	 * with every result); the fast path takes no method declared to return {@code Object}, so only one
	 * declared to return an {@code Optional} returns one.
	 * @param optionalResult whether the method returns an {@code Optional}
	 * @throws IllegalArgumentException if the result is an {@code Optional} of an {@code Optional}
	 */
	static @Nullable Object toCached(boolean optionalResult, @Nullable Object result) {
		return optionalResult ? ObjectUtils.unwrapOptional(result) : result;
	}

	/**
	 * A cached value as a method returns it, wrapped in an {@code Optional} where it returns one (as
	 * Spring's {@code CacheAspectSupport} wraps it).
	 * @param optionalResult whether the method returns an {@code Optional}
	 */
	static @Nullable Object toResult(boolean optionalResult, @Nullable Object cached) {
		return (optionalResult && !(cached instanceof Optional)) ? Optional.ofNullable(cached) : cached;
	}

	/** Puts a value into one of the operation's caches, a failure going to the error handler. */
	final void put(TieredCache cache, Object key, @Nullable Object value, Type valueType) {
		try {
			cache.put(key, value, valueType);
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCachePutError(ex, cache, key, value);
		}
	}

	/**
	 * Evicts a key from one of the operation's caches, a failure going to the error handler.
	 * @param immediately whether the eviction comes before the method runs ({@code evictIfPresent}, as
	 * Spring's {@code beforeInvocation} asks) rather than after it ({@code evict})
	 */
	final void evict(TieredCache cache, Object key, boolean immediately) {
		try {
			if (immediately) {
				cache.evictIfPresent(key);
			}
			else {
				cache.evict(key);
			}
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheEvictError(ex, cache, key);
		}
	}

	/**
	 * Clears one of the operation's caches, a failure going to the error handler.
	 * @param immediately whether the clearing comes before the method runs ({@code invalidate}) rather than
	 * after it ({@code clear})
	 */
	final void clear(TieredCache cache, boolean immediately) {
		try {
			if (immediately) {
				cache.invalidate();
			}
			else {
				cache.clear();
			}
		}
		catch (RuntimeException ex) {
			this.errorHandler.handleCacheClearError(ex, cache);
		}
	}

	@Override
	public String toString() {
		return this.operation + " on " + this.method;
	}

}
