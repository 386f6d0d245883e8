package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Deletes cache entries when the method is called: one key, the entries that carry some tags
 * ({@link #tags()}), or with {@link #allEntries()} the whole cache. Deletes revoke load leases, so a load
 * that read old data cannot store it afterwards; a load in flight when a tag is invalidated stores what
 * counts as dropped.
 *
 * <p>By default the delete happens after the method returns, and not if it throws; with
 * {@link #beforeInvocation()} it happens before the method runs, whatever the method then does.
 * Inside a Spring transaction, an after-invocation delete is applied after commit (leases are revoked
 * at once). If Redis does not take the delete, it is applied once Redis answers. Repeatable, for
 * several caches.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(CacheInvalidate.List.class)
public @interface CacheInvalidate {

	/** The name of the cache (declared, or created on first use). */
	String cache();

	/**
	 * SpEL over the parameters that yields the key; empty uses the only parameter, or all parameters
	 * together, unless {@link #tags()} are given (then no key is deleted). Must be empty with
	 * {@link #allEntries()}.
	 */
	String key() default "";

	/**
	 * Tags to invalidate: SpEL over the parameters (and {@code #result} unless before invocation), each
	 * yielding a tag, a collection or an array of tags, or {@code null} for none, as
	 * {@link CacheAside#tags()} does. Every entry of the cache that carries one of them is dropped, on
	 * every instance, in one Redis round trip per tag. With a {@link #key()}, that key is deleted too. Not
	 * with {@link #allEntries()}.
	 */
	String[] tags() default {};

	/** Whether to delete every entry of the cache instead of one key. */
	boolean allEntries() default false;

	/** Whether to delete before the method runs (and so even if it throws) instead of after it returns. */
	boolean beforeInvocation() default false;

	/** SpEL over the parameters (and {@code #result} unless before invocation); when {@code false} nothing is deleted. */
	String condition() default "";

	/** Several {@link CacheInvalidate}s on one method. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		CacheInvalidate[] value();

	}

}
