package dev.tiercache.autoconfigure.warming;

import org.jspecify.annotations.Nullable;

/**
 * What warms one cache: it yields elements, and warms the cache with each by a call of a cached method
 * of a bean through its proxy (the normal read path).
 */
interface Warmer {

	/** The bean whose methods are called. */
	String beanName();

	String cache();

	/** How the log and the endpoint name it. */
	String name();

	/**
	 * Hands each element to warm the cache with to {@code elements}, as they come.
	 * @throws InterruptedException if {@code elements} was interrupted
	 * @throws Throwable what yielding them threw
	 */
	void yieldTo(Object bean, Elements elements) throws Throwable;

	/**
	 * Warms the cache with one element.
	 * @throws Throwable what the call threw
	 */
	void warm(Object bean, @Nullable Object element) throws Throwable;

	/** What takes a warmer's elements, one at a time. */
	@FunctionalInterface
	interface Elements {

		void take(@Nullable Object element) throws InterruptedException;

	}

}
