package dev.tiercache.interceptor;

import org.jspecify.annotations.Nullable;

/**
 * One write annotation on a method, parsed once: when it applies (before or after the method), its
 * condition, and its effect on the cache. Immutable and thread-safe.
 */
final class WriteOperation {

	private final String description;

	private final boolean beforeInvocation;

	private final @Nullable MethodExpression condition;

	private final Effect effect;

	WriteOperation(String description, boolean beforeInvocation, @Nullable MethodExpression condition, Effect effect) {
		this.description = description;
		this.beforeInvocation = beforeInvocation;
		this.condition = condition;
		this.effect = effect;
	}

	boolean beforeInvocation() {
		return this.beforeInvocation;
	}

	/**
	 * Applies the effect if the condition holds.
	 * @param result the method's result ({@code Optional} unwrapped), {@code null} before invocation
	 */
	void apply(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result) {
		MethodExpression expression = this.condition;
		if (expression == null || expression.test(arguments, target, !this.beforeInvocation, result)) {
			this.effect.apply(arguments, target, result);
		}
	}

	@Override
	public String toString() {
		return this.description;
	}

	/** What the annotation does to the cache for one call. */
	@FunctionalInterface
	interface Effect {

		void apply(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result);

	}

}
