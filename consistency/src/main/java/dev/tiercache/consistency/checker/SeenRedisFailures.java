package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns the Redis failures instances saw outside the nemesis's faults into fault windows of their own
 * ({@value #KIND}): a Redis call that timed out on a loaded machine is a fault as much as an injected
 * one, and a delete it failed leaves the old value in Redis until the delete is retried. Failures
 * during an injected fault, or during its recovery, are that fault's.
 *
 * <p>Failures closer together than {@code settleNanos} make one window, which lasts until
 * {@code settleNanos} after its last failure: long enough for a delete that failed to be retried and
 * applied (Tiercache retries failed deletes every 500 ms, each within the Redis timeout).
 */
public final class SeenRedisFailures {

	/** The kind of the windows made here. */
	public static final String KIND = "REDIS_FAILURE_SEEN";

	private SeenRedisFailures() {
	}

	/**
	 * @param failures every failure the instances reported
	 * @param injected the nemesis's faults
	 * @param recoveryNanos how long after an injected fault is healed staleness may last
	 * @param settleNanos how long after a failure its effects may last
	 * @return the windows of the failures no injected fault explains, in time order
	 */
	public static List<FaultWindow> windows(List<RedisFailure> failures, List<FaultWindow> injected, long recoveryNanos,
			long settleNanos) {
		List<RedisFailure> unexplained = failures.stream()
			.filter((failure) -> !explained(failure, injected, recoveryNanos))
			.sorted(Comparator.comparingLong(RedisFailure::at))
			.toList();
		List<FaultWindow> windows = new ArrayList<>();
		int first = 0;
		for (int i = 1; i <= unexplained.size(); i++) {
			if (i == unexplained.size() || unexplained.get(i).at() - unexplained.get(i - 1).at() > settleNanos) {
				windows.add(window(unexplained.subList(first, i), settleNanos));
				first = i;
			}
		}
		return windows;
	}

	private static boolean explained(RedisFailure failure, List<FaultWindow> injected, long recoveryNanos) {
		for (FaultWindow fault : injected) {
			long recovery = fault.needsRecovery() ? recoveryNanos : 0;
			if (fault.excusesStaleness() && failure.at() >= fault.start() && failure.at() <= fault.end() + recovery) {
				return true;
			}
		}
		return false;
	}

	private static FaultWindow window(List<RedisFailure> failures, long settleNanos) {
		TreeSet<Integer> nodes = new TreeSet<>();
		failures.forEach((failure) -> nodes.add(failure.node()));
		String target = nodes.stream().map((node) -> "n" + node).reduce((a, b) -> a + "," + b).orElseThrow()
				+ " (" + failures.size() + " failed calls, the first: " + failures.get(0).error() + ")";
		long last = failures.get(failures.size() - 1).at();
		return new FaultWindow(KIND, target, failures.get(0).at(), last + settleNanos);
	}

}
