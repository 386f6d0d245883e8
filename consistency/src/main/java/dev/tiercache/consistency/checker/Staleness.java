package dev.tiercache.consistency.checker;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * How stale the reads outside fault windows were: for each read that returned a version older than a
 * write acknowledged before the read began, how long before (the lag). Not thread-safe.
 */
final class Staleness {

	private long reads;

	private long[] lags = new long[64];

	private int stale;

	void record(Call read, @Nullable Call newer) {
		this.reads++;
		if (newer == null) {
			return;
		}
		if (this.stale == this.lags.length) {
			this.lags = Arrays.copyOf(this.lags, this.stale * 2);
		}
		this.lags[this.stale++] = read.invokedAt() - newer.completedAt();
	}

	Verdict.StalenessSummary summary() {
		long[] sorted = Arrays.copyOf(this.lags, this.stale);
		Arrays.sort(sorted);
		return new Verdict.StalenessSummary(this.reads, this.stale, percentile(sorted, 0.50), percentile(sorted, 0.99),
				(sorted.length > 0) ? sorted[sorted.length - 1] / 1e6 : 0);
	}

	private static double percentile(long[] sorted, double fraction) {
		if (sorted.length == 0) {
			return 0;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] / 1e6;
	}

}
