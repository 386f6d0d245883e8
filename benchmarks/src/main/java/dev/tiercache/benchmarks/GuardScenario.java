package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.LongStream;

import dev.tiercache.benchmarks.NullPenetrationScenario.Lookup;
import dev.tiercache.benchmarks.NullPenetrationScenario.Round;

/**
 * A load scenario, not a JMH benchmark: the penetration guard against null markers alone.
 * {@code instances} application contexts with {@code threads} threads each ask, once each, for
 * {@code absentIds} distinct ids the database does not have, in a random order (a fixed seed): the
 * database answers {@code null} after 1 ms, as in {@link NullPenetrationScenario}. With null markers
 * alone, every id reaches the database once; with a guard whose filter holds the {@code existingIds}
 * ids that exist (built from its source before the round), only its false positives do.
 *
 * <p>Each subject is measured cold (its own key prefix, new contexts) in warm code: each first runs a
 * round on other ids, in contexts closed at once. Reports loader calls, the round's time, throughput
 * and caller latency, and what the guards answered.
 */
final class GuardScenario {

	/** The first absent id: far from the existing ids and from the other benchmarks' ids. */
	private static final long FIRST_ID = 7_000_000L;

	/** The first absent id of the warm-up round: below those measured. */
	private static final long FIRST_WARM_UP_ID = 6_000_000L;

	/**
	 * What one subject's measured round did.
	 * @param subject what was measured
	 * @param absentIds how many distinct absent ids were asked for, once each
	 * @param existingIds how many ids the guard's filter holds (0 without a guard)
	 * @param loaderCalls how many times the database was asked
	 * @param millis the round's time, from the first call to the last one's return
	 * @param callsPerSecond calls over that time
	 * @param p50Micros median caller latency
	 * @param p99Micros 99th percentile caller latency
	 */
	record Outcome(String subject, int absentIds, long existingIds, int loaderCalls, double millis,
			double callsPerSecond, double p50Micros, double p99Micros) {
	}

	private GuardScenario() {
	}

	/** Warms both subjects, then measures null markers alone, then the guard. */
	static List<Outcome> run(int instances, int threads, int absentIds, long existingIds) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(instances * threads);
		try {
			long[][] warmUp = ids(FIRST_WARM_UP_ID, instances * threads, absentIds);
			try (Subjects subjects = new Subjects()) {
				NullPenetrationScenario.call(executor, start(instances, nullMarkers(subjects)), threads, warmUp);
				NullPenetrationScenario.call(executor, start(instances, guarded(subjects, existingIds)), threads,
						warmUp);
			}
			long[][] ids = ids(FIRST_ID, instances * threads, absentIds);
			List<Outcome> outcomes = new ArrayList<>();
			try (Subjects subjects = new Subjects()) {
				outcomes.add(measure("null markers alone (`@CacheAside`)", 0, subjects, executor, threads, ids,
						start(instances, nullMarkers(subjects))));
			}
			try (Subjects subjects = new Subjects()) {
				outcomes.add(measure("penetration guard and null markers", existingIds, subjects, executor, threads,
						ids, start(instances, guarded(subjects, existingIds))));
			}
			return outcomes;
		}
		finally {
			executor.shutdownNow();
		}
	}

	/** {@code instances} new instances of a subject, sharing a new key prefix. */
	private static List<Lookup> start(int instances, Function<String, Lookup> instance) {
		String prefix = "bench-guard-" + System.nanoTime();
		List<Lookup> lookups = new ArrayList<>();
		for (int i = 0; i < instances; i++) {
			lookups.add(instance.apply(prefix));
		}
		return lookups;
	}

	private static Function<String, Lookup> nullMarkers(Subjects subjects) {
		return (prefix) -> subjects.tiered(prefix)::absent;
	}

	private static Function<String, Lookup> guarded(Subjects subjects, long existingIds) {
		return (prefix) -> subjects.guarded(prefix, existingIds)::absent;
	}

	/**
	 * {@code absentIds} distinct ids from {@code first} on, shuffled with a fixed seed and dealt to
	 * {@code threads} threads in turn.
	 */
	static long[][] ids(long first, int threads, int absentIds) {
		long[] all = LongStream.range(first, first + absentIds).toArray();
		SplittableRandom random = new SplittableRandom(42);
		for (int i = all.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			long swapped = all[i];
			all[i] = all[j];
			all[j] = swapped;
		}
		long[][] ids = new long[threads][];
		for (int t = 0; t < threads; t++) {
			ids[t] = new long[absentIds / threads + ((t < absentIds % threads) ? 1 : 0)];
		}
		for (int i = 0; i < all.length; i++) {
			ids[i % threads][i / threads] = all[i];
		}
		return ids;
	}

	private static Outcome measure(String subject, long existingIds, Subjects subjects, ExecutorService executor,
			int threads, long[][] ids, List<Lookup> lookups) throws Exception {
		int loadsBefore = subjects.loads.get();
		Round round = NullPenetrationScenario.call(executor, lookups, threads, ids);
		long[] latencies = round.latencies();
		return new Outcome(subject, latencies.length, existingIds, subjects.loads.get() - loadsBefore,
				round.elapsedNanos() / 1e6, latencies.length * 1e9 / round.elapsedNanos(),
				NullPenetrationScenario.micros(StampedeScenario.percentile(latencies, 50)),
				NullPenetrationScenario.micros(StampedeScenario.percentile(latencies, 99)));
	}

}
