package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheEvictOperation;
import org.springframework.cache.interceptor.KeyGenerator;

import dev.tiercache.tier.TieredCache;

/**
 * Spring's {@code @CacheEvict} alone on a method and on one {@link TieredCache}: with
 * {@code beforeInvocation}, the key (or, with {@code allEntries}, the whole cache) is evicted at once
 * ({@code evictIfPresent}, {@code invalidate}) before the method runs, whatever it then does; otherwise
 * it is evicted ({@code evict}, {@code clear}) after the method returned, {@code condition} and the key
 * seeing its result as {@code #result} (not unwrapped, as in Spring), and not at all if it threw or
 * returned an {@code Optional} of an {@code Optional} (refused, as Spring refuses it). A failure of the
 * cache goes to the error handler. Immutable and thread-safe.
 */
final class SpringCacheEvictOperation extends SpringOperation implements SpringFastOperation {

	private final TieredCache cache;

	private final boolean allEntries;

	private final boolean beforeInvocation;

	SpringCacheEvictOperation(CacheEvictOperation operation, Method method, Class<?> targetClass, TieredCache cache,
			@Nullable SpringExpression key, @Nullable KeyGenerator keyGenerator, @Nullable SpringExpression condition,
			CacheErrorHandler errorHandler) {
		super(operation, method, targetClass, List.of(cache), key, keyGenerator, condition, errorHandler);
		this.cache = cache;
		this.allEntries = operation.isCacheWide();
		this.beforeInvocation = operation.isBeforeInvocation();
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		if (this.beforeInvocation) {
			evict(invocation, false, null);
		}
		Object result = invocation.proceed();
		toCached(result); // Spring unwraps every result, refusing an Optional of an Optional before evicting
		if (!this.beforeInvocation) {
			evict(invocation, true, result);
		}
		return result;
	}

	private void evict(MethodInvocation invocation, boolean hasResult, @Nullable Object result) {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		if (!conditionHolds(arguments, target, hasResult, result)) {
			return;
		}
		if (this.allEntries) {
			clear(this.cache, this.beforeInvocation);
		}
		else {
			evict(this.cache, key(arguments, target, hasResult, result), this.beforeInvocation);
		}
	}

}
