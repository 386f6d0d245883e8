package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;

/**
 * Values written to a cache that its backing store does not hold yet (the write-behind queue's
 * pending writes). A read that finds nothing in Redis asks here before it loads, so that it never
 * returns a value older than an acknowledged write, even after the cache entry expired or was
 * evicted. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface PendingWrites {

	/**
	 * The framed value of the latest pending write of a key, as {@link StagedWrite#framed()} gave it.
	 * @param renderedKey the key as {@link StagedWrite#renderedKey()} renders it
	 * @return the framed value, or {@code null} if no write of the key is pending
	 * @throws RemoteCallException if Redis fails (the read then counts as a Redis failure)
	 */
	byte @Nullable [] find(String renderedKey);

}
