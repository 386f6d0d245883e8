package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import dev.tiercache.internal.read.ResultTags;
import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;

/**
 * What {@code @CacheAside} asks of one method, parsed and checked once: the cache, how to compute
 * the key, the conditions, the type results are decoded to, and the settings for new entries.
 * Immutable and thread-safe.
 */
final class CacheAsideOperation implements MethodOperation {

	private final Method method;

	private final TieredCache cache;

	private final KeyResolver keyResolver;

	private final @Nullable MethodExpression condition;

	private final @Nullable MethodExpression unless;

	private final @Nullable TagExpressions tags;

	private final TypedReads reads;

	private final Result result;

	/** How the method returns what it caches. */
	enum Result {

		/** The value itself. */
		VALUE,

		/** An {@code Optional} of it, cached unwrapped. */
		OPTIONAL,

		/**
		 * A {@code Mono} of it (or a Kotlin {@code suspend} function's result, which Spring AOP proceeds
		 * with as a {@code Mono}): read through on Reactor's bounded elastic scheduler, which waits for the
		 * method's {@code Mono}; an empty one caches {@code null}.
		 */
		MONO

	}

	private final CacheSettings entrySettings;

	CacheAsideOperation(Method method, TieredCache cache, KeyResolver keyResolver, @Nullable MethodExpression condition,
			@Nullable MethodExpression unless, @Nullable TagExpressions tags, Type valueType, Result result,
			CacheSettings entrySettings) {
		this.method = method;
		this.cache = cache;
		this.keyResolver = keyResolver;
		this.condition = condition;
		this.unless = unless;
		this.tags = tags;
		this.reads = cache.reads(valueType, entrySettings);
		this.result = result;
		this.entrySettings = entrySettings;
	}

	/** The cache's reads of the values this method returns, storing what they load with {@link #entrySettings()}. */
	TypedReads reads() {
		return this.reads;
	}

	CacheSettings entrySettings() {
		return this.entrySettings;
	}

	boolean appliesTo(@Nullable Object[] arguments, @Nullable Object target) {
		MethodExpression expression = this.condition;
		return expression == null || expression.test(arguments, target, false, null);
	}

	Object key(@Nullable Object[] arguments, @Nullable Object target) {
		return this.keyResolver.resolve(this.method, arguments, target);
	}

	/**
	 * The {@code unless} rule for one call, or {@code null} when every result is cached. As in Spring,
	 * {@code #result} is the value to cache: an {@code Optional} result is seen unwrapped.
	 */
	@Nullable Predicate<@Nullable Object> unlessRule(@Nullable Object[] arguments, @Nullable Object target) {
		MethodExpression expression = this.unless;
		if (expression == null) {
			return null;
		}
		return (value) -> expression.test(arguments, target, true, value);
	}

	/**
	 * The {@code tags} of one call's result, or {@code null} when it stores none; {@code #result} as for
	 * {@link #unlessRule}.
	 */
	@Nullable ResultTags tagsRule(@Nullable Object[] arguments, @Nullable Object target) {
		TagExpressions expressions = this.tags;
		if (expressions == null) {
			return null;
		}
		return (value) -> expressions.evaluate(arguments, target, true, value);
	}

	/** Whether the method returns a {@code Mono}: its reads run when subscribed, its loads on a scheduler's thread. */
	boolean reactive() {
		return this.result == Result.MONO;
	}

	/** Turns a method result into the value to cache ({@code Optional} unwrapped). */
	@Nullable Object toCached(@Nullable Object result) {
		if (this.result == Result.OPTIONAL) {
			return (result != null) ? ((Optional<?>) result).orElse(null) : null;
		}
		return result;
	}

	/**
	 * Waits, on the calling thread, for the value of the {@code Mono} the method returned, run with the
	 * subscriber's {@code context}; an interrupt (the subscriber cancelled) cancels it, or keeps it from
	 * being subscribed if it came first.
	 * @throws Throwable what the {@code Mono} failed with
	 * @throws IllegalStateException if the method returned {@code null} rather than a {@code Mono}
	 */
	@Nullable Object awaited(@Nullable Object result, ContextView context) throws Throwable {
		if (Thread.interrupted()) {
			// the subscriber cancelled before the method's Mono was subscribed: it is not
			throw new InterruptedException("the subscriber of " + this.method + " cancelled");
		}
		if (!(result instanceof Mono<?> mono)) {
			throw new IllegalStateException(this.method + " returned " + result + " where @CacheAside needs a Mono");
		}
		CompletableFuture<?> value = mono.contextWrite(context).toFuture();
		try {
			return value.get();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (InterruptedException ex) {
			// the subscriber cancelled: so is the method's Mono; the flag stays clear, so that the lease is
			// released at once (the load fails with the interrupt, which other waiters take over from)
			value.cancel(true);
			throw ex;
		}
	}

	/** Turns a cached value into the method's result: {@code Optional} or {@code Mono} wrapped. */
	@Nullable Object toResult(@Nullable Object cached) {
		return switch (this.result) {
			case VALUE -> cached;
			case OPTIONAL -> Optional.ofNullable(cached);
			case MONO -> Mono.justOrEmpty(cached);
		};
	}

	@Override
	public String toString() {
		return "@CacheAside(cache = " + this.cache.getName() + ") on " + this.method;
	}

}
