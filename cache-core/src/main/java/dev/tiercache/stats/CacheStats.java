package dev.tiercache.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The running counters of one cache, per tier and per outcome.
 *
 * <p>Every counter is a {@link LongAdder}: incrementing never blocks and does not contend between
 * threads, so counting is safe on the hit path. Reads are not atomic across counters; a snapshot
 * taken while the cache is busy may be off by the calls in flight.
 */
public final class CacheStats {

	private final LongAdder localHits = new LongAdder();

	private final LongAdder localNullHits = new LongAdder();

	private final LongAdder localMisses = new LongAdder();

	private final LongAdder remoteHits = new LongAdder();

	private final LongAdder remoteNullHits = new LongAdder();

	private final LongAdder remoteMisses = new LongAdder();

	private final LongAdder loads = new LongAdder();

	private final LongAdder loadFailures = new LongAdder();

	private final LongAdder loadNanos = new LongAdder();

	private final LongAdder localWaits = new LongAdder();

	private final LongAdder remoteWaits = new LongAdder();

	private final LongAdder lockTimeouts = new LongAdder();

	private final LongAdder leasesLost = new LongAdder();

	private final LongAdder remoteErrors = new LongAdder();

	private final LongAdder encodeFailures = new LongAdder();

	private final LongAdder decodeFailures = new LongAdder();

	public void localHit(boolean nullValue) {
		(nullValue ? this.localNullHits : this.localHits).increment();
	}

	public void localMiss() {
		this.localMisses.increment();
	}

	public void remoteHit(boolean nullValue) {
		(nullValue ? this.remoteNullHits : this.remoteHits).increment();
	}

	public void remoteMiss() {
		this.remoteMisses.increment();
	}

	/** Records a completed call of a loader (the cached method), successful or not. */
	public void load(long nanos, boolean failed) {
		this.loads.increment();
		this.loadNanos.add(nanos);
		if (failed) {
			this.loadFailures.increment();
		}
	}

	/** Records a caller that waited for another thread of this JVM to load the same key. */
	public void localWait() {
		this.localWaits.increment();
	}

	/** Records a caller that waited for another instance holding the key's lease to load it. */
	public void remoteWait() {
		this.remoteWaits.increment();
	}

	/** Records a caller that stopped waiting for a lease holder and loaded without the lease. */
	public void lockTimeout() {
		this.lockTimeouts.increment();
	}

	/** Records a loaded value that was not stored because its lease was gone (a write intervened). */
	public void leaseLost() {
		this.leasesLost.increment();
	}

	/** Records a Redis call that failed or timed out and was treated as an L2 miss. */
	public void remoteError() {
		this.remoteErrors.increment();
	}

	/** Records a value that could not be encoded or was too large, and so was not cached. */
	public void encodeFailure() {
		this.encodeFailures.increment();
	}

	/** Records a stored value that could not be decoded and was deleted. */
	public void decodeFailure() {
		this.decodeFailures.increment();
	}

	public long localHits() {
		return this.localHits.sum();
	}

	public long localNullHits() {
		return this.localNullHits.sum();
	}

	public long localMisses() {
		return this.localMisses.sum();
	}

	public long remoteHits() {
		return this.remoteHits.sum();
	}

	public long remoteNullHits() {
		return this.remoteNullHits.sum();
	}

	public long remoteMisses() {
		return this.remoteMisses.sum();
	}

	public long loads() {
		return this.loads.sum();
	}

	public long loadFailures() {
		return this.loadFailures.sum();
	}

	/** Total time spent in loaders, in the given unit. */
	public long loadTime(TimeUnit unit) {
		return unit.convert(this.loadNanos.sum(), TimeUnit.NANOSECONDS);
	}

	public long localWaits() {
		return this.localWaits.sum();
	}

	public long remoteWaits() {
		return this.remoteWaits.sum();
	}

	public long lockTimeouts() {
		return this.lockTimeouts.sum();
	}

	public long leasesLost() {
		return this.leasesLost.sum();
	}

	public long remoteErrors() {
		return this.remoteErrors.sum();
	}

	public long encodeFailures() {
		return this.encodeFailures.sum();
	}

	public long decodeFailures() {
		return this.decodeFailures.sum();
	}

	@Override
	public String toString() {
		return "CacheStats[localHits=" + localHits() + ", localNullHits=" + localNullHits() + ", localMisses="
				+ localMisses() + ", remoteHits=" + remoteHits() + ", remoteNullHits=" + remoteNullHits()
				+ ", remoteMisses=" + remoteMisses() + ", loads=" + loads() + ", loadFailures=" + loadFailures()
				+ ", localWaits=" + localWaits() + ", remoteWaits=" + remoteWaits() + ", lockTimeouts="
				+ lockTimeouts() + ", leasesLost=" + leasesLost() + ", remoteErrors=" + remoteErrors()
				+ ", encodeFailures=" + encodeFailures() + ", decodeFailures=" + decodeFailures() + "]";
	}

}
