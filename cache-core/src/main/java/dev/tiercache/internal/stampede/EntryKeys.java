package dev.tiercache.internal.stampede;

/**
 * The Redis keys of one cache entry, all in one cluster slot (one hash tag).
 *
 * @param value where the framed value lives
 * @param lock where the load lease lives
 * @param waiters a short-lived flag that callers waiting for the lease holder set; a store, release
 * or write publishes a wake-up only when it finds the flag, so uncontended misses publish nothing
 * @param intents the writes of the entry's backing data in flight (see {@link WriteIntents}); it exists
 * only while one is
 */
public record EntryKeys(byte[] value, byte[] lock, byte[] waiters, byte[] intents) {
}
