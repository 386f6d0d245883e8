package dev.tiercache.internal.write;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RemoteCallException;

/**
 * Values written to a cache that its backing store does not hold yet (the write-behind queue's
 * pending writes), kept in Redis until the backing store has them.
 *
 * <p>Invariant: while a write of a key is pending, no read returns an older value of the key and no
 * load stores one. A read that finds nothing in Redis asks here before it loads, so that it never
 * returns a value older than an acknowledged write, even after the cache entry expired or was
 * evicted. A load, in the foreground or in the background (refresh-ahead, early expiry,
 * stale-while-revalidate, an expired entry kept for fail-safe), reads the backing store, which does
 * not hold the write yet: so the lease scripts read the {@link #locate location} in the same atomic
 * step in which they take a key's lease or store under it, take no lease while a write is pending
 * (a read gets the pending value instead) and store nothing over one. Checked by
 * {@code WriteBehindReloadTests} and {@code LeaseLocksTests}. A pending write whose value the cache
 * cannot hold is {@link #UNCACHED}: a read then loads and stores nothing. The entries of a cache with
 * pending writes live in the cluster slots of their partitions ({@link #partitionOf}), so that those
 * scripts reach the entry and the pending write in one slot. Implementations must be thread-safe.
 */
public interface PendingWrites {

	/**
	 * What {@link #find} returns for a key whose latest pending write has a value the cache cannot
	 * hold ({@link StagedWrite#cached()} is {@code false}): a read loads the value, and stores it
	 * nowhere, since the backing store may not have that write yet. Never modified.
	 */
	byte[] UNCACHED = new byte[0];

	/**
	 * The framed value of the latest pending write of a key, as {@link StagedWrite#framed()} gave it.
	 * @param renderedKey the key as {@link StagedWrite#renderedKey()} renders it
	 * @return the framed value, an empty array ({@link #UNCACHED}) if the cache cannot hold it, or
	 * {@code null} if no write of the key is pending
	 * @throws RemoteCallException if Redis fails (the read then counts as a Redis failure)
	 */
	byte @Nullable [] find(String renderedKey);

	/**
	 * Where Redis keeps the latest pending write of a key: the hash field that {@link #find} reads,
	 * present exactly while a write of the key is pending.
	 * @param renderedKey the key as {@link StagedWrite#renderedKey()} renders it
	 */
	EntryKeys.Pending locate(String renderedKey);

	/**
	 * The write-behind partition of a key: the cluster slot that the key's entry shares with the
	 * partition's stream and pending hash ({@code RedisKeys#value(String, int, long, String)}).
	 * @param renderedKey the key as {@link StagedWrite#renderedKey()} renders it
	 */
	int partitionOf(String renderedKey);

	/** How many write-behind partitions the cache's queue has. */
	int partitions();

}
