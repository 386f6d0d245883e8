package dev.tiercache.consistency.harness;

/**
 * One fault of a schedule.
 *
 * @param kind the fault
 * @param atMillis when it begins, after the workload started
 * @param durationMillis how long it lasts before it is healed
 * @param target the instance it hits (0-based), for faults that hit one
 * @param latencyMillis the added delay each way, for {@link FaultKind#LATENCY}
 */
public record Fault(FaultKind kind, long atMillis, long durationMillis, int target, long latencyMillis) {

	public String targetName() {
		return this.kind.targetsOneInstance() ? "n" + (this.target + 1) : "all";
	}

}
