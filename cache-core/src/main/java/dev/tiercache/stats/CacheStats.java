package dev.tiercache.stats;

import java.time.Duration;

/**
 * An immutable snapshot of one cache's counters, per tier and per outcome, as returned by
 * {@code TieredCache.stats()}. Counters are read one after another while the cache keeps working, so
 * a snapshot of a busy cache may be off by the calls in flight; each counter on its own only grows.
 *
 * @param localHits L1 hits on a value
 * @param localNullHits L1 hits on a cached {@code null}
 * @param localMisses L1 misses (reads that went on to Redis or the loader)
 * @param remoteHits Redis hits on a value
 * @param remoteNullHits Redis hits on a cached {@code null}
 * @param remoteMisses Redis misses
 * @param loads completed calls of a loader (the cached method), successful or not
 * @param loadFailures loader calls that threw
 * @param totalLoadTime time spent in loaders
 * @param localWaits callers that waited for another thread of this JVM to load the same key
 * @param remoteWaits callers that waited for another instance holding the key's lease
 * @param lockTimeouts callers that stopped waiting for another caller's load (a lease holder, or a
 * thread of this JVM) after {@code lock.wait} and loaded themselves
 * @param leasesLost loaded values not stored because a write (or a caller that took the load over)
 * revoked their lease, or it lapsed
 * @param remoteErrors Redis calls that failed or timed out and were treated as an L2 miss
 * @param encodeFailures values not cached because they could not be encoded or were too large
 * @param decodeFailures stored entries that could not be read (corrupt, refused, or of another type)
 * @param repairsDropped deletes of keys whose write or evict failed that were not remembered for
 * retry because too many were pending
 * @param staleHits reads answered with an entry past its soft expiry, inside its stale window, while it
 * reloaded in the background
 * @param failSafeHits reads answered with an expired entry because the loader threw
 * @param refreshes background reloads started (refresh-ahead, stale-while-revalidate, early expiry)
 * @param refreshFailures background reloads that failed (the loader threw); each is logged
 * @param refreshesDropped background reloads not started because the reload executor was full
 * @param evictions entries L1 dropped for room ({@code local.max-size})
 * @param localWaitTime time callers spent waiting for another thread's load in this JVM
 * @param remoteWaitTime time callers spent waiting for another instance's load
 * @param loadsRejected loads refused because the cache's load bulkhead stayed full for its wait
 * ({@code BulkheadFullException} to the caller), or its cap on new keys per second gave no permit in it
 * ({@code RequestNotPermitted})
 */
public record CacheStats(long localHits, long localNullHits, long localMisses, long remoteHits, long remoteNullHits,
		long remoteMisses, long loads, long loadFailures, Duration totalLoadTime, long localWaits, long remoteWaits,
		long lockTimeouts, long leasesLost, long remoteErrors, long encodeFailures, long decodeFailures,
		long repairsDropped, long staleHits, long failSafeHits, long refreshes, long refreshFailures,
		long refreshesDropped, long evictions, Duration localWaitTime, Duration remoteWaitTime, long loadsRejected) {

	/** Reads either tier answered, with a value or a cached {@code null}. */
	public long hits() {
		return this.localHits + this.localNullHits + this.remoteHits + this.remoteNullHits;
	}

	/**
	 * Reads neither tier answered: with L1, its misses that Redis did not answer either (Redis misses,
	 * and reads Redis failed); without L1, Redis misses.
	 * @param throughLocal whether the cache reads L1 first
	 */
	public long misses(boolean throughLocal) {
		return throughLocal ? this.localMisses - this.remoteHits - this.remoteNullHits : this.remoteMisses;
	}

	/**
	 * The counts of what happened between an earlier snapshot of the same cache and this one: each
	 * counter and time less its earlier value.
	 * @param earlier a snapshot of this cache taken before this one
	 */
	public CacheStats since(CacheStats earlier) {
		return new CacheStats(this.localHits - earlier.localHits, this.localNullHits - earlier.localNullHits,
				this.localMisses - earlier.localMisses, this.remoteHits - earlier.remoteHits,
				this.remoteNullHits - earlier.remoteNullHits, this.remoteMisses - earlier.remoteMisses,
				this.loads - earlier.loads, this.loadFailures - earlier.loadFailures,
				this.totalLoadTime.minus(earlier.totalLoadTime), this.localWaits - earlier.localWaits,
				this.remoteWaits - earlier.remoteWaits, this.lockTimeouts - earlier.lockTimeouts,
				this.leasesLost - earlier.leasesLost, this.remoteErrors - earlier.remoteErrors,
				this.encodeFailures - earlier.encodeFailures, this.decodeFailures - earlier.decodeFailures,
				this.repairsDropped - earlier.repairsDropped, this.staleHits - earlier.staleHits,
				this.failSafeHits - earlier.failSafeHits, this.refreshes - earlier.refreshes,
				this.refreshFailures - earlier.refreshFailures, this.refreshesDropped - earlier.refreshesDropped,
				this.evictions - earlier.evictions, this.localWaitTime.minus(earlier.localWaitTime),
				this.remoteWaitTime.minus(earlier.remoteWaitTime), this.loadsRejected - earlier.loadsRejected);
	}

}
