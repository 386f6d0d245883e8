package dev.tiercache.internal.write;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * The writes a cache coordinates with Tiercache's own write patterns, beyond Spring's {@code Cache}: a
 * write-through announces its database write, a deferred write revokes the loads in flight, and the
 * write-behind queue stages writes for its own script and lends the cache the writes the backing store
 * does not hold yet. Taken from {@code TieredCache.coordinatedWrites()}. Thread-safe.
 */
public interface CoordinatedWrites {

	/**
	 * Announces a write of the key's backing data (a database write) that is about to happen, on every
	 * instance, so that concurrent writers of the key cannot leave the older value cached: complete the
	 * returned intent with the value written once the write is done, or abandon it if the write failed.
	 * If Redis does not answer, completing the intent deletes the key, as an evict does.
	 */
	WriteIntent intendWrite(Object key);

	/**
	 * Revokes the loads of the key in progress, without changing what is cached: a load that holds the
	 * key's lease on any instance, or is in flight in this JVM, will not store its result. Used before a
	 * write that is applied later (after a transaction commits).
	 */
	void revokeLoads(Object key);

	/**
	 * Frames a write of the value for a script that applies it atomically with other commands (see
	 * {@link StagedWrite}); nothing changes until then. After the script ran, call {@link #applied}, or
	 * {@link #unconfirmed} if it may not have run: one of them, once. When the cache cannot hold the value
	 * (it cannot be encoded or is too large, or its TTL is zero: a {@code null} with {@code null-ttl} 0),
	 * the write deletes the key instead ({@link StagedWrite#cached()} is {@code false}). If the cache's
	 * namespace version is not known yet (Redis has not answered since start-up), it is read first.
	 * @throws dev.tiercache.internal.redis.RemoteCallException if the namespace version cannot be read
	 * @throws IllegalStateException if the cache does not use Redis
	 */
	StagedWrite stage(Object key, @Nullable Object value, Type type);

	/**
	 * Records that a staged write was applied in Redis, and that a delete of the key still pending from an
	 * earlier failure is dropped. For a put, L1 takes the value (loads in flight in this JVM will not
	 * replace it; if another write of the key raced it, only while a check finds it in Redis); for a
	 * delete, L1 drops the key and loads in flight in this JVM do not store theirs. Other instances drop
	 * the key from their L1 either way.
	 * @throws IllegalArgumentException if the write was not staged by this cache's {@link #stage}
	 * @throws IllegalStateException if the write was already declared applied or unconfirmed
	 */
	void applied(StagedWrite write);

	/**
	 * Records that a staged write may or may not have been applied in Redis (its script was sent, then
	 * timed out or was interrupted): L1 drops the key, and loads in flight in this JVM do not store theirs,
	 * so that this instance reads Redis next, whichever way the script went. Redis does not report a write
	 * back to the connection that made it, so nothing else would.
	 * @throws IllegalArgumentException if the write was not staged by this cache's {@link #stage}
	 * @throws IllegalStateException if the write was already declared applied or unconfirmed
	 */
	void unconfirmed(StagedWrite write);

	/**
	 * Sets where reads that find nothing in Redis look for writes the backing store does not hold yet (the
	 * write-behind queue's pending writes).
	 */
	void pendingWrites(PendingWrites pendingWrites);

}
