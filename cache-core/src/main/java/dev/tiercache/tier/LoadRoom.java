package dev.tiercache.tier;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import org.jspecify.annotations.Nullable;

/**
 * Room for one load within a cache's {@link LoadLimits}, if it has any. A caller's load first takes a
 * permit of the cache's new-key limit (waiting for one up to the limit's wait), then room in its load
 * bulkhead (waiting up to the bulkhead's wait). A background reload refreshes a key that is cached, so
 * it takes no permit, and it takes room only if some is free at once, so that it never holds a reload
 * thread (shared by every cache) waiting. A load refused is counted as rejected, unless its thread was
 * interrupted. Every {@link #take} that returns is followed by one {@link #give}. Thread-safe.
 */
final class LoadRoom {

	private final @Nullable Bulkhead bulkhead;

	private final @Nullable RateLimiter newKeys;

	private final StatsRecorder stats;

	LoadRoom(LoadLimits limits, StatsRecorder stats) {
		this.bulkhead = limits.concurrent();
		this.newKeys = limits.newKeys();
		this.stats = stats;
	}

	/**
	 * Takes room for a load.
	 * @param background whether the load is a background reload, which does not wait
	 * @throws RequestNotPermitted if a caller's load finds no permit of the new-key limit
	 * @throws BulkheadFullException if there is no room in the bulkhead
	 */
	void take(boolean background) {
		RateLimiter permits = this.newKeys;
		if (!background && permits != null && !permits.acquirePermission()) {
			refused();
			throw RequestNotPermitted.createRequestNotPermitted(permits);
		}
		Bulkhead room = this.bulkhead;
		if (room == null) {
			return;
		}
		boolean taken = (!background || room.getMetrics().getAvailableConcurrentCalls() > 0)
				&& room.tryAcquirePermission();
		if (!taken) {
			refused();
			throw BulkheadFullException.createBulkheadFullException(room);
		}
	}

	private void refused() {
		if (!Thread.currentThread().isInterrupted()) {
			this.stats.loadRejected();
		}
	}

	/** Gives back the room a {@link #take} took. */
	void give() {
		Bulkhead room = this.bulkhead;
		if (room != null) {
			room.onComplete();
		}
	}

}
