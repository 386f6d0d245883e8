package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.KeyGenerator;

import dev.tiercache.tier.TieredCache;

/**
 * Spring's {@code @CachePut} alone on a method and on one {@link TieredCache}: the method runs, then, if
 * {@code condition} holds and {@code unless} does not (both seeing {@code #result}, an {@code Optional}
 * unwrapped), its result is put under the key (which may use {@code #result} too), typed as the method's
 * value type; a failure of the put goes to the error handler. What the method throws reaches the caller
 * unchanged, and nothing is put. Immutable and thread-safe.
 */
final class SpringCachePutOperation extends SpringOperation implements SpringFastOperation {

	private final TieredCache cache;

	private final Type valueType;

	private final @Nullable SpringExpression unless;

	SpringCachePutOperation(CachePutOperation operation, Method method, Class<?> targetClass, TieredCache cache,
			Type valueType, @Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator,
			@Nullable SpringExpression condition, @Nullable SpringExpression unless, CacheErrorHandler errorHandler) {
		super(operation, method, targetClass, List.of(cache), key, keyGenerator, condition, errorHandler);
		this.cache = cache;
		this.valueType = valueType;
		this.unless = unless;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object result = invocation.proceed();
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		Object value = toCached(result);
		if (conditionHolds(arguments, target, true, value)
				&& (this.unless == null || !this.unless.isTrue(call(arguments, target), true, value))) {
			put(this.cache, key(arguments, target, true, value), value, this.valueType);
		}
		return result;
	}

}
