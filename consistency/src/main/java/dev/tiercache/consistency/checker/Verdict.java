package dev.tiercache.consistency.checker;

import java.util.List;

/**
 * What the checker found in one history.
 *
 * @param checks one result per guarantee
 * @param staleness how stale the reads outside fault windows were
 */
public record Verdict(List<CheckResult> checks, StalenessSummary staleness) {

	/** Whether no check found a violation. */
	public boolean passed() {
		return this.checks.stream().allMatch((check) -> check.violations() == 0);
	}

	public long violations() {
		return this.checks.stream().mapToLong(CheckResult::violations).sum();
	}

	/**
	 * How stale reads outside fault windows were.
	 *
	 * @param reads reads checked
	 * @param stale reads that returned a version older than a write acknowledged before they began
	 * (allowed within the bound)
	 * @param p50Millis the median lag of those reads behind the write
	 * @param p99Millis the 99th percentile lag
	 * @param maxMillis the longest lag
	 */
	public record StalenessSummary(long reads, long stale, double p50Millis, double p99Millis, double maxMillis) {
	}

}
