package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.aop.ProxyMethodInvocation;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.internal.read.ResultTags;
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

	/**
	 * Where the read-through of {@code Mono} methods runs, each waiting for the method's {@code Mono}:
	 * Tiercache's own bounded elastic scheduler (daemon threads, ten per CPU, idle ones ended after a
	 * minute), apart from the application's {@code Schedulers.boundedElastic()}, which the methods' own
	 * work may use.
	 */
	private static final Scheduler REACTIVE_LOADS = Schedulers.newBoundedElastic(
			10 * Runtime.getRuntime().availableProcessors(), Integer.MAX_VALUE, "tiercache-reactive-loads", 60, true);

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
		if (operation.reactive()) {
			return reactive(invocation, operation, key);
		}
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
		MethodInvocation loading = loadingInvocation(invocation, operation.entrySettings());
		Object value = operation.reads()
			.getOrLoad(key, () -> operation.toCached(loading.proceed()), unless,
					operation.tagsRule(invocation.getArguments(), invocation.getThis()));
		return operation.toResult(value);
	}

	/**
	 * A {@code Mono} method's (or a Kotlin {@code suspend} function's) call: a {@code Mono} that, once
	 * subscribed, answers from L1 or reads through on {@link #REACTIVE_LOADS}, whose thread
	 * waits for the method's {@code Mono} (run with the subscriber's context); each subscription looks L1
	 * up again and proceeds on a clone of its own of the invocation (the caller's returned by then).
	 */
	private static Mono<?> reactive(MethodInvocation invocation, CacheAsideOperation operation, Object key) {
		Predicate<@Nullable Object> unless = operation.unlessRule(invocation.getArguments(), invocation.getThis());
		ResultTags tags = operation.tagsRule(invocation.getArguments(), invocation.getThis());
		return Mono.deferContextual((context) -> {
			Object cached = operation.reads().peek(key, ABSENT);
			if (cached != ABSENT) {
				return (Mono<?>) operation.toResult(cached);
			}
			MethodInvocation proceeding = (invocation instanceof ProxyMethodInvocation proxied)
					? proxied.invocableClone() : invocation;
			return Mono.fromCallable(() -> readThroughReactive(operation, key, proceeding, context, unless, tags))
				.subscribeOn(REACTIVE_LOADS);
		});
	}

	private static @Nullable Object readThroughReactive(CacheAsideOperation operation, Object key,
			MethodInvocation proceeding, ContextView context, @Nullable Predicate<@Nullable Object> unless,
			@Nullable ResultTags tags) throws Exception {
		try {
			return operation.reads()
				.getOrLoad(key, () -> operation.awaited(proceeding.proceed(), context), unless, tags);
		}
		catch (Exception ex) {
			if (Thread.interrupted() || ex instanceof InterruptedException) {
				// cancelled: nobody is subscribed any more; what Reactor would drop and log is not sent
				return null;
			}
			throw ex;
		}
		catch (Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new UndeclaredThrowableException(ex);
		}
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
