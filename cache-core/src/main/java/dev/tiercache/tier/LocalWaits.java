package dev.tiercache.tier;

import dev.tiercache.internal.stampede.SingleFlight;

/**
 * Counts and times, in a cache's stats, the waits of its callers for another thread's load of a key in
 * this JVM: a caller that joins a load, how long it waited, and one that took the load over after
 * {@code lock.wait}.
 */
record LocalWaits(StatsRecorder stats) implements SingleFlight.Waits {

	@Override
	public void joined() {
		this.stats.localWait();
	}

	@Override
	public void waited(long nanos) {
		this.stats.localWaited(nanos);
	}

	@Override
	public void tookOver() {
		this.stats.lockTimeout();
	}

}
