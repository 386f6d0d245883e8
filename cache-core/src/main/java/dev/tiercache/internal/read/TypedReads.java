package dev.tiercache.internal.read;

import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * One cache's reads of one value type with one set of entry TTLs, as an annotated method makes them:
 * taken from {@code TieredCache.reads(type, entrySettings)} once, when the method's annotation is parsed,
 * so that a call renders nothing and builds nothing before it finds its value in L1. Thread-safe.
 */
public interface TypedReads {

	/**
	 * Returns what L1 holds for the key if a caller reading values of this type may have it, without
	 * loading; {@code absent} otherwise: a value decoded from Redis as another parameterized type (a
	 * {@code List} of maps, for a {@code List<Book>} caller) is not given. Counts a hit, not a miss.
	 * Allocates nothing.
	 */
	@Nullable Object peek(Object key, Object absent);

	/**
	 * The read-through, once {@link #peek} missed: L2, then {@code loader} under the key's single flight
	 * and lease; what it loads is stored with these reads' entry TTLs.
	 * @param unless tells which loaded values not to cache; {@code null} caches all
	 * @return the value, {@code null} for a cached or loaded {@code null}
	 * @throws IllegalStateException if the loader reads the same key of this cache
	 * @throws Throwable what the loader or {@code unless} threw, unchanged
	 */
	default @Nullable Object getOrLoad(Object key, ValueLoader loader, @Nullable Predicate<@Nullable Object> unless)
			throws Throwable {
		return getOrLoad(key, loader, unless, null);
	}

	/**
	 * The read-through as {@link #getOrLoad(Object, ValueLoader, Predicate)} does, storing what it loads
	 * with the tags {@code tags} gives for it.
	 * @param tags the tags of a loaded value; {@code null} for none
	 * @throws Throwable what the loader, {@code unless} or {@code tags} threw, unchanged
	 */
	@Nullable Object getOrLoad(Object key, ValueLoader loader, @Nullable Predicate<@Nullable Object> unless,
			@Nullable ResultTags tags) throws Throwable;

	/**
	 * The batch read-through: one pass over L1, one {@code MGET} for the keys it misses, then
	 * {@code loader} once with only the keys Redis misses too, each under its key's single flight and
	 * lease; what it loads is stored with these reads' entry TTLs, and a key it does not return as a
	 * {@code null}.
	 * @param keys the keys to read (repeats are read once)
	 * @param unless tells which loaded values not to cache; {@code null} caches all
	 * @return every key's value, {@code null} for a cached or loaded {@code null}
	 * @throws Throwable what the loader or {@code unless} threw, unchanged
	 */
	Map<Object, @Nullable Object> getAll(Collection<?> keys, BatchLoader loader,
			@Nullable Predicate<@Nullable Object> unless) throws Throwable;

	/**
	 * Checks that the cache can name the key in Redis, as a read or write of it would.
	 * @throws IllegalArgumentException naming the key's type if it cannot
	 */
	void requireNameable(Object key);

}
