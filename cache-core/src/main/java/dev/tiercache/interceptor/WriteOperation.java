package dev.tiercache.interceptor;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.write.WriteIntent;


/**
 * One write annotation on a method, parsed once: when it applies (before or after the method), its
 * condition, its effect on the cache, and, for a write-through whose key is known before the method
 * runs, the intent it registers first (see {@link WriteIntent}). Immutable and thread-safe.
 */
final class WriteOperation {

	private final String description;

	private final boolean beforeInvocation;

	private final @Nullable MethodExpression condition;

	private final @Nullable Intention intention;

	private final Effect effect;

	WriteOperation(String description, boolean beforeInvocation, @Nullable MethodExpression condition, Effect effect) {
		this(description, beforeInvocation, condition, null, effect);
	}

	WriteOperation(String description, boolean beforeInvocation, @Nullable MethodExpression condition,
			@Nullable Intention intention, Effect effect) {
		this.description = description;
		this.beforeInvocation = beforeInvocation;
		this.condition = condition;
		this.intention = intention;
		this.effect = effect;
	}

	boolean beforeInvocation() {
		return this.beforeInvocation;
	}

	/** Whether the operation registers an intent before the method runs. */
	boolean intends() {
		return this.intention != null;
	}

	/**
	 * Registers the intent to write, before the method runs.
	 * @return the intent, or {@code null} if the operation registers none
	 */
	@Nullable WriteIntent intend(@Nullable Object[] arguments, @Nullable Object target) {
		Intention registering = this.intention;
		return (registering != null) ? registering.intend(arguments, target) : null;
	}

	/**
	 * Applies the effect if the condition holds; otherwise abandons the intent, if any.
	 * @param result the method's result ({@code Optional} unwrapped), {@code null} before invocation
	 * @param intent what {@link #intend} returned
	 */
	void apply(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result,
			@Nullable WriteIntent intent) {
		MethodExpression expression = this.condition;
		if (expression == null || expression.test(arguments, target, !this.beforeInvocation, result)) {
			this.effect.apply(arguments, target, result, intent);
		}
		else if (intent != null) {
			intent.abandon();
		}
	}

	@Override
	public String toString() {
		return this.description;
	}

	/** Registers a write before the method runs. */
	@FunctionalInterface
	interface Intention {

		/** Returns the intent, or {@code null} when the write cannot be announced yet. */
		@Nullable WriteIntent intend(@Nullable Object[] arguments, @Nullable Object target);

	}

	/** What the annotation does to the cache for one call. */
	@FunctionalInterface
	interface Effect {

		/**
		 * @param intent the intent registered before the method, or {@code null}
		 */
		void apply(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result,
				@Nullable WriteIntent intent);

	}

}
