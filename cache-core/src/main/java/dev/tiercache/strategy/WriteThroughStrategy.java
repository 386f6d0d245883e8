package dev.tiercache.strategy;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.write.WriteIntent;
import dev.tiercache.tier.TieredCache;

/**
 * Write-through: before the method (the database write) runs, the write is announced to every
 * instance ({@link dev.tiercache.internal.write.CoordinatedWrites#intendWrite}); after it returned, the
 * new value goes to Redis and L1, revoking the key's load lease on every instance, so that a load that
 * read the old row never stores it. If another write of the key overlapped this one (on any instance), their database writes may
 * have landed in either order, so the key is deleted instead and the next read loads the row. A
 * {@code null} value deletes the key too (nothing known is better than a stale guess). When the cache
 * write fails, the key is deleted, now or once Redis answers; the call never fails for it. A write
 * that cannot be announced (its key is known only from the method's result, or cannot be resolved
 * before the method) deletes the key instead of storing it. Thread-safe and stateless.
 */
public final class WriteThroughStrategy {

	private final CacheWriteScheduler scheduler;

	public WriteThroughStrategy(CacheWriteScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/** Announces a write of the key, before the method runs. */
	public WriteIntent intend(TieredCache cache, Object key) {
		return cache.coordinatedWrites().intendWrite(key);
	}

	/**
	 * Writes the value the method wrote to the database under an announced intent; if a transaction
	 * is active and rolls back, the intent is abandoned instead.
	 * @param type the type readers decode the value as
	 */
	public void written(TieredCache cache, WriteIntent intent, @Nullable Object value, Type type) {
		this.scheduler.schedule(cache, intent.key(), () -> intent.complete(value, type), intent::abandon);
	}

	/**
	 * Deletes the key the method wrote to the database, for a write that could not be announced (its
	 * key is known only from the result): its order against other writes of the key is unknown. The
	 * delete, like every delete, also makes announced writes of the key in flight delete rather than
	 * store.
	 */
	public void writtenUnannounced(TieredCache cache, Object key) {
		this.scheduler.schedule(cache, key, () -> cache.evict(key));
	}

}
