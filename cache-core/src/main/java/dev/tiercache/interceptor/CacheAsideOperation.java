package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

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
		 * with as a {@code Mono}): loaded on the cache's asynchronous executor, which waits for the method's
		 * {@code Mono}; an empty one caches {@code null}.
		 */
		MONO

	}

	private final CacheSettings entrySettings;

	CacheAsideOperation(Method method, TieredCache cache, KeyResolver keyResolver, @Nullable MethodExpression condition,
			@Nullable MethodExpression unless, Type valueType, Result result, CacheSettings entrySettings) {
		this.method = method;
		this.cache = cache;
		this.keyResolver = keyResolver;
		this.condition = condition;
		this.unless = unless;
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

	/** Whether the method returns a {@code Mono}: its loads run on the cache's asynchronous executor. */
	boolean reactive() {
		return this.result == Result.MONO;
	}

	/**
	 * Turns a method result into the value to cache: {@code Optional} unwrapped, {@code Mono} waited for
	 * (on the calling thread).
	 * @throws Throwable what the {@code Mono} failed with
	 */
	@Nullable Object toCached(@Nullable Object result) throws Throwable {
		if (result == null) {
			return null;
		}
		return switch (this.result) {
			case VALUE -> result;
			case OPTIONAL -> ((Optional<?>) result).orElse(null);
			case MONO -> awaited((Mono<?>) result);
		};
	}

	private static @Nullable Object awaited(Mono<?> mono) throws Throwable {
		try {
			return mono.toFuture().get();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() != null) ? ex.getCause() : ex;
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
