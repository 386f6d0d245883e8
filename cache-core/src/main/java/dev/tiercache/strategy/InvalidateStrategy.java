package dev.tiercache.strategy;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/**
 * Invalidation: deletes one key, or every entry of a cache, revoking load leases, or drops the entries
 * that carry some tags. Before the method runs, the delete is immediate; after it, the delete waits for
 * the transaction to commit, if there is one. Thread-safe and stateless.
 */
public final class InvalidateStrategy {

	private final CacheWriteScheduler scheduler;

	public InvalidateStrategy(CacheWriteScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Deletes entries.
	 * @param key the key to delete, or {@code null} for every entry of the cache
	 * @param beforeInvocation whether the method has yet to run (the delete is then immediate)
	 */
	public void invalidate(TieredCache cache, @Nullable Object key, boolean beforeInvocation) {
		Runnable delete = (key != null) ? () -> cache.evict(key) : cache::clear;
		if (beforeInvocation) {
			delete.run();
		}
		else {
			this.scheduler.schedule(cache, key, delete);
		}
	}

	/**
	 * Invalidates tags: every entry that carries one of them is dropped ({@link TieredCache#invalidateTag}).
	 * @param beforeInvocation whether the method has yet to run (the invalidation is then immediate)
	 */
	public void invalidateTags(TieredCache cache, Collection<String> tags, boolean beforeInvocation) {
		if (tags.isEmpty()) {
			return;
		}
		Runnable invalidate = () -> tags.forEach(cache::invalidateTag);
		if (beforeInvocation) {
			invalidate.run();
		}
		else {
			this.scheduler.schedule(cache, null, invalidate);
		}
	}

}
