package dev.tiercache.internal.read;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Produces the values of many keys that missed the cache, in one call: usually the body of a cached
 * batch method, called with only the missing ids. Whatever it throws reaches the caller unchanged.
 */
@FunctionalInterface
public interface BatchLoader {

	/**
	 * @param keys the keys to load, distinct, in the order the caller asked for them
	 * @return the values found, by key: a key the map does not hold has no value (cached as a {@code null});
	 * {@code null} for none
	 */
	@Nullable Map<?, ? extends @Nullable Object> load(List<Object> keys) throws Throwable;

}
