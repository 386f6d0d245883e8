package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Writes around the cache: the method (the database write) runs, then the key is deleted from Redis
 * and from L1, and its load lease is revoked, so the next read loads the new row and a load that read
 * the old row in the meantime cannot store it.
 *
 * <p>If Redis does not take the delete, it is applied once Redis answers; the call still succeeds. An
 * exception from the method reaches the caller unchanged and the cache is not touched. Inside a
 * Spring transaction, the lease is revoked at once and the delete applied after commit, not at all on
 * rollback. Other instances drop their L1 copy when it expires ({@code local.ttl}) until cross-instance
 * invalidation exists. Repeatable, for several caches.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(WriteAround.List.class)
public @interface WriteAround {

	/** The name of the cache (declared, or created on first use). */
	String cache();

	/** SpEL over the parameters that yields the key; empty uses the only parameter, or all parameters together. */
	String key() default "";

	/** SpEL over the parameters and {@code #result}; when it is {@code false} nothing is deleted. */
	String condition() default "";

	/** Several {@link WriteAround}s on one method. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		WriteAround[] value();

	}

}
