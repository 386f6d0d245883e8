package dev.tiercache.strategy;

import dev.tiercache.tier.TieredCache;

/**
 * Write-around: after the method (the database write) returned, the key is deleted from Redis and L1
 * and its load lease revoked, so the next read loads the new row. A delete Redis does not take is
 * applied once Redis answers. Thread-safe and stateless.
 */
public final class WriteAroundStrategy {

	private final CacheWriteScheduler scheduler;

	public WriteAroundStrategy(CacheWriteScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/** Deletes the key the method wrote to the database. */
	public void written(TieredCache cache, Object key) {
		this.scheduler.schedule(cache, key, () -> cache.evict(key));
	}

}
