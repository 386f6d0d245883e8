package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Writes a method's new value to the cache with the write-through pattern: the method (the database
 * write) runs first, and only when it returns is the value written to Redis and L1.
 *
 * <p>The write revokes the key's load lease on every instance, so a concurrent {@link CacheAside}
 * load that read the old row can never store it afterwards; the write does not wait for that load.
 * If the cache write fails, the key is deleted instead, never left stale; if Redis does not answer,
 * the key is deleted once it does. The call still succeeds. An exception from the method reaches the
 * caller unchanged and the cache is not touched. Inside a Spring transaction, the lease is revoked at
 * once and the write is applied after commit, not at all on rollback.
 *
 * <p>Repeatable, for several caches. The method must be public, on a Spring bean, and called through
 * the bean. Attribute errors fail start-up with a message naming the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(WriteThrough.List.class)
public @interface WriteThrough {

	/** The name of the cache (declared, or created on first use). */
	String cache();

	/** SpEL over the parameters that yields the key; empty uses the only parameter, or all parameters together. */
	String key() default "";

	/**
	 * SpEL over the parameters and {@code #result} that yields the value to cache. Empty: the method's
	 * result ({@code Optional} unwrapped), or for a {@code void} method with one parameter, that parameter.
	 */
	String value() default "";

	/** SpEL over the parameters and {@code #result}; when it is {@code false} the cache is not written. */
	String condition() default "";

	/** Several {@link WriteThrough}s on one method. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		WriteThrough[] value();

	}

}
