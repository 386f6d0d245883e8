package dev.tiercache.internal.read;

import org.jspecify.annotations.Nullable;

/**
 * Produces a value on a cache miss: usually the body of a cached method. Whatever it throws reaches
 * the caller unchanged.
 */
@FunctionalInterface
public interface ValueLoader {

	@Nullable Object load() throws Throwable;

}
