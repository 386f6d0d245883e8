package dev.tiercache.internal.redis;

import org.jspecify.annotations.Nullable;

/**
 * The Redis keys of one cache entry, as {@link RedisKeys#entry} builds them: its value, lease, waiters
 * flag and write intents in one cluster slot (one hash tag), and, for a cache whose writes are queued for
 * its backing store, where a queued write of the entry is kept (in its queue partition's slot, another
 * one: such caches need a standalone or Sentinel Redis).
 *
 * @param value where the framed value lives
 * @param lock where the load lease lives
 * @param waiters a short-lived flag that callers waiting for the lease holder set; a store, release
 * or write publishes a wake-up only when it finds the flag, so uncontended misses publish nothing
 * @param intents the writes of the entry's backing data in flight (see {@code WriteIntents}), in the
 * entry's slot; it exists only while one is
 * @param pending where a write of the entry that the backing store does not hold yet is kept, or
 * {@code null} if the cache queues no writes: while it is there, no load takes the lease or stores
 * (a loader would read older data), and callers get that write instead
 */
public record EntryKeys(byte[] value, byte[] lock, byte[] waiters, byte[] intents, @Nullable Pending pending) {

	/**
	 * Where a queued write of an entry is kept: the framed value in field {@code field} of the hash
	 * {@code hash}, removed once the backing store has it.
	 */
	public record Pending(byte[] hash, byte[] field) {
	}

}
