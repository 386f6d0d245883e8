package dev.tiercache.benchmarks;

import java.util.Arrays;
import java.util.Objects;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A load scenario, not a JMH benchmark: two instances (application contexts) share a cache; instance A
 * writes one key {@code writes} times, and after each write returns, instance B reads the key until it
 * serves the new value. The time from A's write returning to B serving it is how long B's L1 copy
 * stays stale: the invalidation's trip through Redis.
 */
final class StalenessScenario {

	/**
	 * What the scenario measured.
	 * @param writes writes made on A
	 * @param mode how B learned of them
	 * @param p50Millis median staleness
	 * @param p99Millis 99th percentile
	 * @param maxMillis longest
	 */
	record Outcome(int writes, CoherenceMode mode, double p50Millis, double p99Millis, double maxMillis) {
	}

	private static final long TIMEOUT_NANOS = 10_000_000_000L;

	private StalenessScenario() {
	}

	static Outcome run(int writes) {
		try (Subjects subjects = new Subjects()) {
			return run(writes, subjects);
		}
	}

	/** The scenario on instances {@code subjects} makes (on a Redis Cluster, say), with an L1 on each. */
	static Outcome run(int writes, Subjects subjects) {
		return run(writes, subjects, "hot");
	}

	/**
	 * The scenario on instances {@code subjects} makes, on the cache {@code cache} ({@code hot}, with an
	 * L1, or {@code remote}, without: B then reads Redis on every call).
	 */
	static Outcome run(int writes, Subjects subjects, String cache) {
		String prefix = "bench-staleness-" + System.nanoTime();
		TieredCacheManager first = subjects.tieredManager(prefix);
		TieredCache a = first.getTieredCache(cache);
		TieredCache b = subjects.tieredManager(prefix).getTieredCache(cache);
		a.put("key", "warm-up");
		awaitServed(b, "warm-up");
		long[] nanos = new long[writes];
		for (int i = 0; i < writes; i++) {
			String value = "v" + i;
			a.put("key", value);
			long written = System.nanoTime();
			awaitServed(b, value);
			nanos[i] = System.nanoTime() - written;
		}
		Arrays.sort(nanos);
		return new Outcome(writes, Objects.requireNonNull(first.coherenceMode()), millis(nanos, 50),
				millis(nanos, 99), nanos[writes - 1] / 1e6);
	}

	private static void awaitServed(TieredCache reader, String value) {
		long deadline = System.nanoTime() + TIMEOUT_NANOS;
		while (!value.equals(reader.get("key", String.class))) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("instance B did not serve '" + value + "' within 10 s");
			}
			Thread.onSpinWait();
		}
	}

	private static double millis(long[] sorted, int percent) {
		int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, index)] / 1e6;
	}

	/** Runs the scenario alone: {@code java … StalenessScenario [writes]}. */
	public static void main(String[] args) {
		System.out.println(run((args.length > 0) ? Integer.parseInt(args[0]) : 1_000));
	}

}
