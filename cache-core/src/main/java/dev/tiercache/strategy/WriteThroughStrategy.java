package dev.tiercache.strategy;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/**
 * Write-through: after the method (the database write) returned, the new value goes to Redis and L1,
 * revoking the key's load lease on every instance, so that a load that read the old row never stores
 * it. A {@code null} value deletes the key instead (nothing known is better than a stale guess). When
 * the cache write fails, the key is deleted, now or once Redis answers; the call never fails for it.
 * Thread-safe and stateless.
 */
public final class WriteThroughStrategy {

	private final CacheWriteScheduler scheduler;

	public WriteThroughStrategy(CacheWriteScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Writes the value the method wrote to the database.
	 * @param type the type readers decode the value as
	 */
	public void written(TieredCache cache, Object key, @Nullable Object value, Type type) {
		this.scheduler.schedule(cache, key, () -> {
			if (value != null) {
				cache.put(key, value, type);
			}
			else {
				cache.evict(key);
			}
		});
	}

}
