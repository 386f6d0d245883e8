package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * Counts the Redis round trips one operation costs, by command, for each subject: an L2 hit and a
 * miss that loads. Not timed: the counts explain the latencies the JMH benchmarks measure.
 */
final class RoundTrips {

	/**
	 * Round trips of one operation.
	 * @param subject what was measured
	 * @param operation the operation
	 * @param perCall round trips per call, by command
	 */
	record Count(String subject, String operation, Map<String, Double> perCall) {

		double total() {
			return this.perCall.values().stream().mapToDouble(Double::doubleValue).sum();
		}

	}

	private static final int CALLS = 500;

	private static final long BATCH_BASE = 20_000_000L;

	private static final long LOOP_BASE = 30_000_000L;

	private static final String BATCH = "100 ids, " + BatchReadBenchmark.MISSING + " missing";

	private RoundTrips() {
	}

	static List<Count> measure() {
		CommandCounter counter = new CommandCounter();
		try (Subjects subjects = new Subjects(counter.clientResources())) {
			String prefix = "bench-roundtrips-" + System.nanoTime();
			Subjects.TieredCatalog tiered = subjects.tiered(prefix);
			Subjects.SpringCatalog spring = subjects.springOnRedis(prefix + "-spring");
			long base = 9_000_000L;
			return List.of(
					count(counter, "@CacheAside (tiered)", "miss that loads", (i) -> tiered.miss(base + i)),
					count(counter, "Spring @Cacheable on Redis", "miss that loads", (i) -> spring.miss(base + i)),
					count(counter, "@CacheAside (tiered, remote mode)", "L2 hit", (i) -> {
						tiered.remote(base + i);
						return null;
					}, (i) -> tiered.remote(base + i)),
					count(counter, "Spring @Cacheable on Redis", "L2 hit", (i) -> {
						spring.remote(base + i);
						return null;
					}, (i) -> spring.remote(base + i)),
					count(counter, "@CacheAside(batch = true) (remote mode)", BATCH,
							(i) -> (i == 0) ? tiered.books(presentIds(BATCH_BASE)) : null,
							(i) -> tiered.books(hundredIds(BATCH_BASE, i))),
					count(counter, "@CacheAside, a loop of single calls (remote mode)", BATCH,
							(i) -> (i == 0) ? tiered.books(presentIds(LOOP_BASE)) : null,
							(i) -> hundredIds(LOOP_BASE, i).stream().map(tiered::book).toList()));
		}
		finally {
			counter.shutdown();
		}
	}

	/** The {@link BatchReadBenchmark#PRESENT} ids every batch call of a base asks for, stored before. */
	private static List<Long> presentIds(long base) {
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < BatchReadBenchmark.PRESENT; i++) {
			ids.add(base + i);
		}
		return ids;
	}

	/** The ids of batch call {@code call}: the present ids, then {@link BatchReadBenchmark#MISSING} of its own. */
	private static List<Long> hundredIds(long base, long call) {
		List<Long> ids = presentIds(base);
		for (int i = 0; i < BatchReadBenchmark.MISSING; i++) {
			ids.add(base + BatchReadBenchmark.PRESENT + call * BatchReadBenchmark.MISSING + i);
		}
		return ids;
	}

	/**
	 * The counts once no command was sent for 400 ms (within 10 s): the checks of a miss phase's stored
	 * entries trail it, batched, for a while (a 100 ms quiet window was seen to end too early).
	 */
	private static Map<String, Long> quiet(CommandCounter counter) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		Map<String, Long> last = counter.snapshot();
		while (System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400));
			Map<String, Long> now = counter.snapshot();
			if (now.equals(last)) {
				return now;
			}
			last = now;
		}
		return last;
	}

	private static Count count(CommandCounter counter, String subject, String operation,
			LongFunction<Object> operationUnderTest) {
		return count(counter, subject, operation, (i) -> null, operationUnderTest);
	}

	private static Count count(CommandCounter counter, String subject, String operation, LongFunction<Object> prepare,
			LongFunction<Object> operationUnderTest) {
		for (int i = 0; i < CALLS; i++) {
			prepare.apply(i);
		}
		// the preparation's own background commands (the checks of entries a load stored, on Redis before
		// 7.2) must not be counted as the operation's
		Map<String, Long> before = quiet(counter);
		for (int i = 0; i < CALLS; i++) {
			operationUnderTest.apply(i);
		}
		Map<String, Long> sent = CommandCounter.difference(before, counter.snapshot());
		Map<String, Double> perCall = new TreeMap<>();
		sent.forEach((command, count) -> perCall.put(command, (double) count / CALLS));
		return new Count(subject, operation, perCall);
	}

}
