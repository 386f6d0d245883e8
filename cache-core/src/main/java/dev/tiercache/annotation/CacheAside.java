package dev.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches a method's result with the cache-aside pattern: a call returns the cached value from the
 * JVM (L1) or Redis (L2) if there is one; otherwise the method runs and its result is cached.
 *
 * <p>On a miss, the method runs once per key across all instances: one thread per JVM goes on, and
 * one instance holds the key's Redis lease while the others wait for its result. A {@code null}
 * result (or {@code Optional.empty()}) is cached as a null marker for {@link #nullTtl()}. An exception
 * from the method reaches the caller unchanged and nothing is cached. Redis being slow or down never
 * fails the call: the method runs instead.
 *
 * <p>The method must be public (or protected) and neither {@code final} nor {@code static}, on a
 * Spring bean, and called through the bean (not from the same object). Its result is decoded from
 * Redis as its generic return type. Attribute errors (bad SpEL, an unknown cache, a bad duration)
 * fail the application's start-up with a message naming the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CacheAside {

	/** The name of the cache, declared under {@code tiercache.cache-names} or {@code tiercache.caches.<name>}. */
	String cache();

	/**
	 * SpEL over the parameters ({@code #id}, {@code #p0}, {@code #user.id}) that yields the key.
	 * Empty (the default) uses the only parameter, or all parameters together.
	 */
	String key() default "";

	/** SpEL over the parameters; when it is {@code false} the method runs uncached. Empty: always cache. */
	String condition() default "";

	/** SpEL over the parameters and {@code #result}; when it is {@code true} the result is not cached. */
	String unless() default "";

	/**
	 * Tags to store the result with: SpEL over the parameters and {@code #result} (the value to cache), each
	 * yielding a tag, a collection or an array of tags, or {@code null} for none ({@code "'product:' + #id"},
	 * {@code "#result.categories"}); a tag that is not a {@code String} is taken as its {@code String.valueOf}.
	 * An invalidation of one of them ({@link CacheInvalidate#tags()}, {@code TieredCache.invalidateTag}) drops
	 * the entry on every instance, however many entries carry the tag. Not with {@link #batch()}.
	 */
	String[] tags() default {};

	/** Overrides the cache's {@code ttl} for entries of this method ({@code "10m"}, {@code "PT10M"}, {@code "${…}"}). */
	String ttl() default "";

	/** Overrides the cache's {@code null-ttl} for {@code null} results of this method; {@code "0"} caches no null. */
	String nullTtl() default "";

	/** Overrides the cache's {@code ttl-jitter} percentage (0 to 100) for entries of this method. */
	String ttlJitter() default "";

	/**
	 * Overrides the cache's {@code refresh-ahead}: a fraction of the TTL ({@code "0.8"}) after which a
	 * call returns the cached value at once and reloads it in the background, once across all
	 * instances; {@code "0"} turns it off.
	 */
	String refreshAhead() default "";

	/**
	 * Overrides the cache's {@code stale-while-revalidate}: for how long after its TTL an entry is still
	 * returned at once while one instance reloads it ({@code "30s"}); {@code "0"} turns it off.
	 */
	String staleWhileRevalidate() default "";

	/**
	 * Overrides the cache's {@code early-expiry-beta} (XFetch): each call may reload an entry early, in
	 * the background, more likely as its expiry nears and the longer it took to load ({@code "1"}).
	 */
	String earlyExpiryBeta() default "";

	/**
	 * Overrides the cache's {@code fail-safe}: for how long after its TTL an entry is returned when the
	 * method throws, instead of the exception ({@code "5m"}); {@code "0"} turns it off.
	 */
	String failSafe() default "";

	/**
	 * Reads many keys in one call. The method takes one collection of ids ({@code Collection},
	 * {@code List} or {@code Set}), each of them a key of the cache ({@link #key()} stays empty), and
	 * returns a {@code Map} of values by id, or a {@code List} holding one value per id in the ids'
	 * order ({@code null} for an id without one). A call looks at L1 once per id, reads the ids L1
	 * misses with one {@code MGET}, and calls the method once with only the ids Redis misses too (a
	 * {@code List} or a {@code Set}, as the parameter is declared); an id that another thread or instance
	 * is loading is waited for, not loaded again, and an id the method returns no value for is cached
	 * as a {@code null} (for {@link #nullTtl()}). A {@code Map} result holds the ids that have a value, in
	 * the order they were asked for. {@link #condition()} sees the ids, {@link #unless()} each value as
	 * {@code #result}.
	 */
	boolean batch() default false;

}
