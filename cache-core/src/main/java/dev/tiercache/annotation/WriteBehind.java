package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Writes a value with the write-behind pattern, on the method that writes one entity to the database:
 * the call writes the value to Redis and L1 and appends the call to a durable queue in Redis, in one
 * atomic step, then returns <em>without running the method</em>. A flusher pool runs the method later,
 * on its own threads, for the queued calls.
 *
 * <p><b>Guarantees.</b> A call that returned is in Redis (and, with
 * {@code write-behind.durability}, on replicas or in the AOF). It is applied <em>at least once</em>:
 * after a crash, the entries a dead instance had read are applied again by the instance that takes over
 * its partitions, so the method must be idempotent (an upsert, not an insert or an increment). Calls of
 * one key are applied in the order they were made, across instances; different keys in parallel.
 * Until a call is applied, reads of its key never return an older value, even if the cache entry
 * expired. Calls of one key in one batch are coalesced (the last one wins; calls of different methods
 * keep their order). A call that keeps failing is retried with backoff, then moved to a dead-letter
 * stream (see {@code WriteBehindQueues}). A key with queued calls is never written around them: a value
 * the cache cannot hold is queued with a delete of its key; if Redis cannot take the entry, the call
 * throws {@code WriteBehindUnavailableException} without running the method (it is neither queued nor
 * applied; the caller retries or gives it up); a call whose arguments cannot be encoded runs
 * synchronously only while no call of its key is queued. A write is never lost silently.
 *
 * <p>The method must return {@code void} (it has not run when the call returns). Its arguments are
 * stored with the cache's codec, against the declared parameter types. One {@code @WriteBehind} per
 * method: it owns the database write, so it cannot be combined with other Tiercache annotations. The
 * method must be public, on a Spring bean, and called through the bean; one bean per class may declare
 * {@code @WriteBehind} methods. Attribute errors fail start-up with a message naming the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WriteBehind {

	/** The name of the cache (declared, or created on first use); it must use Redis. */
	String cache();

	/** SpEL over the parameters that yields the key; empty uses the only parameter, or all parameters together. */
	String key() default "";

	/**
	 * SpEL over the parameters that yields the value to cache. Empty: the method's only parameter
	 * (required when the method has several).
	 */
	String value() default "";

	/**
	 * SpEL over the parameters; when it is {@code false} the call is not queued: the method runs at once
	 * and the cache is not touched. Do not mix such calls with queued ones for the same key: they could
	 * reach the database before earlier queued ones.
	 */
	String condition() default "";

	/**
	 * The name of a method on the same bean that writes many entities at once, taking a {@code List} of
	 * this method's only parameter type. The flusher then calls it once per batch with one value per key;
	 * if it throws, the calls are applied one by one. Empty: none.
	 */
	String batchMethod() default "";

}
