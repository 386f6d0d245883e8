package dev.tiercache.tier;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import org.jspecify.annotations.Nullable;

/**
 * Room for one load in a cache's load bulkhead, if the cache has one: a caller's load waits for room
 * up to the bulkhead's wait; a background reload takes room only if some is free at once, so that it
 * never holds a reload thread (shared by every cache) waiting. A load refused room is counted as
 * rejected, unless its thread was interrupted. Every {@link #take} that returns is followed by one
 * {@link #give}. Thread-safe.
 */
final class LoadRoom {

	private final @Nullable Bulkhead bulkhead;

	private final StatsRecorder stats;

	LoadRoom(@Nullable Bulkhead bulkhead, StatsRecorder stats) {
		this.bulkhead = bulkhead;
		this.stats = stats;
	}

	/**
	 * Takes room for a load.
	 * @param background whether the load is a background reload, which does not wait
	 * @throws BulkheadFullException if there is no room
	 */
	void take(boolean background) {
		Bulkhead room = this.bulkhead;
		if (room == null) {
			return;
		}
		boolean taken = (!background || room.getMetrics().getAvailableConcurrentCalls() > 0)
				&& room.tryAcquirePermission();
		if (!taken) {
			if (!Thread.currentThread().isInterrupted()) {
				this.stats.loadRejected();
			}
			throw BulkheadFullException.createBulkheadFullException(room);
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
