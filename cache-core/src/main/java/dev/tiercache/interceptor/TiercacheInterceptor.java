package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.aop.ProxyMethodInvocation;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.Freshness;

/**
 * The one advice behind Tiercache's annotations: looks up the method's operation once parsed. For
 * {@link CacheAside} it computes the key, answers from L1 without allocating when it can, and
 * otherwise reads through the cache with the method as the loader. For the write annotations it hands
 * the call to their strategies around the method. Whatever the method throws reaches the caller
 * unchanged. Thread-safe.
 */
public final class TiercacheInterceptor implements MethodInterceptor {

	private static final Object ABSENT = new Object();

	private final TiercacheOperationSource operations;

	public TiercacheInterceptor(TiercacheOperationSource operations) {
		this.operations = operations;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Method method = invocation.getMethod();
		MethodOperation found = (target != null) ? this.operations.getOperation(method, target.getClass()) : null;
		if (!(found instanceof CacheAsideOperation operation)) {
			return notCacheAside(invocation, found);
		}
		@Nullable Object[] arguments = invocation.getArguments();
		if (!operation.appliesTo(arguments, target)) {
			return invocation.proceed();
		}
		Object key = operation.key(arguments, target);
		Object cached = operation.reads().peek(key, ABSENT);
		return (cached != ABSENT) ? operation.toResult(cached) : readThrough(invocation, operation, key);
	}

	/** Methods with write annotations, or none; kept out of {@link #invoke} so that the hit path stays small enough to inline. */
	private static @Nullable Object notCacheAside(MethodInvocation invocation, @Nullable MethodOperation operation)
			throws Throwable {
		if (operation instanceof WriteOperations writes) {
			return writes.invoke(invocation);
		}
		if (operation instanceof BatchReadOperation batch) {
			return batch.invoke(invocation);
		}
		return (operation instanceof WriteBehindOperation queued) ? queued.invoke(invocation) : invocation.proceed();
	}

	/** The path after an L1 miss, kept out of {@link #invoke} so that the hit path stays small enough to inline. */
	private static @Nullable Object readThrough(MethodInvocation invocation, CacheAsideOperation operation, Object key)
			throws Throwable {
		Predicate<@Nullable Object> unless = operation.unlessRule(invocation.getArguments(), invocation.getThis());
		if (operation.reactive()) {
			// read when subscribed, on the cache's asynchronous executor, which waits for the method's Mono; the
			// caller's invocation returned by then, so each subscription proceeds on a clone of its own
			return Mono.defer(() -> {
				MethodInvocation proceeding = (invocation instanceof ProxyMethodInvocation proxied)
						? proxied.invocableClone() : invocation;
				return Mono.fromFuture(operation.reads()
					.getOrLoadAsync(key, () -> operation.toCached(proceeding.proceed()), unless));
			});
		}
		MethodInvocation loading = loadingInvocation(invocation, operation.entrySettings());
		Object value = operation.reads().getOrLoad(key, () -> operation.toCached(loading.proceed()), unless);
		return operation.toResult(value);
	}

	/**
	 * The invocation a load proceeds on: a clone where entries may be reloaded in the background, since
	 * the caller's invocation is done by then.
	 */
	static MethodInvocation loadingInvocation(MethodInvocation invocation, CacheSettings entrySettings) {
		return (entrySettings.freshness().equals(Freshness.NONE)
				|| !(invocation instanceof ProxyMethodInvocation proxied)) ? invocation : proxied.invocableClone();
	}

}
