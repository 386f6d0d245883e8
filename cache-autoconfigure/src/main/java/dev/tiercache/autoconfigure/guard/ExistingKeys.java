package dev.tiercache.autoconfigure.guard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a bean as the source of every key of a cache that exists, from which the cache's
 * penetration guard ({@code tiercache.caches.<name>.guard.expected-keys}) builds its filter: when Redis
 * holds no filter for the cache (at start-up, after Redis lost it, or after the guard's settings
 * changed), and when asked ({@link GuardBuilds#rebuild}). One instance builds at a time, in the
 * background; until a filter is built, every key is loaded.
 * <pre>{@code
 * @CacheAside(cache = "products", key = "#id")
 * public Product find(long id) { ... }
 *
 * @ExistingKeys(cache = "products")
 * public Stream<Long> productIds() { return repository.streamAllIds(); }
 * }</pre>
 * The method takes no parameters and returns an {@code Iterable}, a {@code Stream} (closed once read) or
 * an array of the keys as the cache's methods compute them. A guarded cache needs exactly one source,
 * and a source's cache must be guarded: anything else fails start-up, saying why.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ExistingKeys {

	/** The guarded cache whose keys the method yields. */
	String cache();

}
