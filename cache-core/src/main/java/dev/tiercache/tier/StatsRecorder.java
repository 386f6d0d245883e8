package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;

import dev.tiercache.stats.CacheStats;

/**
 * The running counters of one cache, written by the cache as it works and read as a
 * {@link CacheStats} snapshot. Every counter is a {@link LongAdder}: recording never blocks and does
 * not contend between threads, so it is safe on the hit path. The cache owns its recorder; user code
 * sees only snapshots. Thread-safe.
 */
final class StatsRecorder {

	private final LongAdder localHits = new LongAdder();

	private final LongAdder localNullHits = new LongAdder();

	private final LongAdder localMisses = new LongAdder();

	private final LongAdder remoteHits = new LongAdder();

	private final LongAdder remoteNullHits = new LongAdder();

	private final LongAdder remoteMisses = new LongAdder();

	private final LongAdder loads = new LongAdder();

	private final LongAdder loadFailures = new LongAdder();

	private final LongAdder loadsRejected = new LongAdder();

	private final LongAdder loadNanos = new LongAdder();

	private final LongAdder localWaits = new LongAdder();

	private final LongAdder remoteWaits = new LongAdder();

	private final LongAdder lockTimeouts = new LongAdder();

	private final LongAdder leasesLost = new LongAdder();

	private final LongAdder remoteErrors = new LongAdder();

	private final LongAdder encodeFailures = new LongAdder();

	private final LongAdder decodeFailures = new LongAdder();

	private final LongAdder repairsDropped = new LongAdder();

	private final LongAdder staleHits = new LongAdder();

	private final LongAdder failSafeHits = new LongAdder();

	private final LongAdder refreshes = new LongAdder();

	private final LongAdder refreshFailures = new LongAdder();

	private final LongAdder refreshesDropped = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder remoteWaitNanos = new LongAdder();

	private final LongAdder localWaitNanos = new LongAdder();

	private volatile @Nullable LongConsumer loadListener;

	void localHit(boolean nullValue) {
		(nullValue ? this.localNullHits : this.localHits).increment();
	}

	void localMiss() {
		this.localMisses.increment();
	}

	void remoteHit(boolean nullValue) {
		(nullValue ? this.remoteNullHits : this.remoteHits).increment();
	}

	void remoteMiss() {
		this.remoteMisses.increment();
	}

	/** Records a completed call of a loader, successful or not, and how long it took. */
	/**
	 * Also hands the time of every load to {@code listener} (a timer with percentiles), on the thread
	 * that loaded; loads are off the hit path.
	 */
	void onLoad(LongConsumer listener) {
		this.loadListener = listener;
	}

	void load(long nanos, boolean failed) {
		LongConsumer listener = this.loadListener;
		if (listener != null) {
			listener.accept(nanos);
		}
		this.loads.increment();
		this.loadNanos.add(nanos);
		if (failed) {
			this.loadFailures.increment();
		}
	}

	void localWait() {
		this.localWaits.increment();
	}

	void remoteWait() {
		this.remoteWaits.increment();
	}

	void lockTimeout() {
		this.lockTimeouts.increment();
	}

	void leaseLost() {
		this.leasesLost.increment();
	}

	void remoteError() {
		this.remoteErrors.increment();
	}

	void encodeFailure() {
		this.encodeFailures.increment();
	}

	void decodeFailure() {
		this.decodeFailures.increment();
	}

	void repairDropped() {
		this.repairsDropped.increment();
	}

	/** An entry L1 dropped for room ({@code local.max-size}). */
	void eviction() {
		this.evictions.increment();
	}

	/** A caller waited this long for another thread's load of the same key in this JVM. */
	void localWaited(long nanos) {
		this.localWaitNanos.add(nanos);
	}

	/** A caller waited this long for another instance's load. */
	void remoteWaited(long nanos) {
		this.remoteWaitNanos.add(nanos);
	}

	void staleHit() {
		this.staleHits.increment();
	}

	void failSafeHit() {
		this.failSafeHits.increment();
	}

	void refresh() {
		this.refreshes.increment();
	}

	void refreshFailure() {
		this.refreshFailures.increment();
	}

	void refreshDropped() {
		this.refreshesDropped.increment();
	}

	/** A load the cache's bulkhead refused. */
	void loadRejected() {
		this.loadsRejected.increment();
	}

	/** The counters now. */
	CacheStats snapshot() {
		return new CacheStats(this.localHits.sum(), this.localNullHits.sum(), this.localMisses.sum(),
				this.remoteHits.sum(), this.remoteNullHits.sum(), this.remoteMisses.sum(), this.loads.sum(),
				this.loadFailures.sum(), Duration.ofNanos(this.loadNanos.sum()), this.localWaits.sum(),
				this.remoteWaits.sum(), this.lockTimeouts.sum(), this.leasesLost.sum(), this.remoteErrors.sum(),
				this.encodeFailures.sum(), this.decodeFailures.sum(), this.repairsDropped.sum(), this.staleHits.sum(),
				this.failSafeHits.sum(), this.refreshes.sum(), this.refreshFailures.sum(), this.refreshesDropped.sum(),
				this.evictions.sum(), Duration.ofNanos(this.localWaitNanos.sum()),
				Duration.ofNanos(this.remoteWaitNanos.sum()), this.loadsRejected.sum());
	}

}
