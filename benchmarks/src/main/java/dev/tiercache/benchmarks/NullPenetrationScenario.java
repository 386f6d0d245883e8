package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A load scenario, not a JMH benchmark: cache penetration. {@code instances} application contexts
 * with {@code threads} threads each call a cached method with ids the database does not have, drawn
 * at random (a fixed seed per thread, so every subject gets the same ids in the same order) from a
 * pool of {@code absentIds}, {@code calls} calls in all. The database finds nothing and answers
 * {@code null} after 1 ms (a {@code Thread.sleep}: an indexed lookup over the network, during which
 * the caller's thread waits on I/O and leaves the CPU to others, as a JDBC call does). A cache that
 * caches {@code null} stops an id from reaching the database after its first miss.
 *
 * <p>Each subject is measured cold, with its own key prefix, in new contexts, but in warm code, as
 * an application that has run a while: every subject first runs the same round on other ids twice, in
 * contexts of its own closed at once, before any subject is measured. Measured first and warmed by
 * one round of its own, {@code @CacheAside} ran at about 60 % of the speed it reached later in the
 * same JVM (2 CPUs); after one round of every subject, at 60 to 85 %; after two, as in later rounds.
 * Reports loader calls (ideal: one per distinct id asked for, across all instances), throughput,
 * caller latency and the round trips each call sent (counted in the Lettuce client, background
 * commands included).
 */
final class NullPenetrationScenario {

	/** The first absent id: far from the ids of the other benchmarks. */
	private static final long FIRST_ID = 9_000_000L;

	/** The first absent id of the warm-up rounds: below those measured. */
	private static final long FIRST_WARM_UP_ID = 8_000_000L;

	/** How many times every subject runs the round on other ids before any is measured. */
	private static final int WARM_UP_ROUNDS = 2;

	/** The subjects, in the order of the summary's table: {@code @CacheAside} first, its peers after. */
	private static final List<Subject> SUBJECTS = List.of(
			// null markers in L1 and in Redis, which the instances share
			new Subject("`@CacheAside` (tiered)", (subjects, prefix) -> subjects.tiered(prefix)::absent),
			// Spring's interceptor replaced by Tiercache's fast path
			new Subject("Spring `@Cacheable` on Tiercache's manager",
					(subjects, prefix) -> subjects.springOnTiercache(prefix)::absent),
			// RedisCacheConfiguration.defaultCacheConfig() caches nulls (Spring's NullValue), and
			// Subjects.springOnRedis keeps that
			new Subject("Spring `@Cacheable` on `RedisCacheManager`",
					(subjects, prefix) -> subjects.springOnRedis(prefix)::absent),
			// CaffeineCacheManager allows nulls by default: each instance asks the database for each id itself
			new Subject("Spring `@Cacheable` on `CaffeineCacheManager` (local only)",
					(subjects, prefix) -> subjects.springOnCaffeine()::absent));

	/**
	 * What one subject's measured round did.
	 * @param subject what was measured
	 * @param instances how many application contexts
	 * @param threads how many threads in all
	 * @param calls how many calls returned, in all
	 * @param distinctIds how many distinct ids the calls asked for: the fewest loader calls there can be
	 * @param distinctIdsPerInstance the distinct ids of each instance, summed: the fewest loader calls
	 * of a cache that every instance fills on its own
	 * @param loaderCalls how many times the database was asked
	 * @param callsPerSecond calls in all over the time from the first call to the last one's return
	 * @param p50Micros median caller latency
	 * @param p99Micros 99th percentile caller latency
	 * @param roundTripsPerCall commands the clients sent, per call
	 */
	record Outcome(String subject, int instances, int threads, int calls, int distinctIds, int distinctIdsPerInstance,
			int loaderCalls, double callsPerSecond, double p50Micros, double p99Micros, double roundTripsPerCall) {
	}

	private NullPenetrationScenario() {
	}

	/** Warms every subject, then measures each in turn. */
	static List<Outcome> all(int instances, int threads, int absentIds, int calls) throws Exception {
		long[][] ids = ids(instances, threads, absentIds, calls);
		CommandCounter counter = new CommandCounter();
		ExecutorService executor = Executors.newFixedThreadPool(instances * threads);
		try {
			long[][] warmUpIds = ids(FIRST_WARM_UP_ID, instances, threads, absentIds, calls);
			for (int round = 0; round < WARM_UP_ROUNDS; round++) {
				for (Subject subject : SUBJECTS) {
					try (Subjects warmUp = new Subjects()) {
						call(executor, subject.start(warmUp, instances), threads, warmUpIds);
					}
				}
			}
			List<Outcome> outcomes = new ArrayList<>();
			for (Subject subject : SUBJECTS) {
				outcomes.add(measure(subject, executor, counter, instances, threads, ids));
			}
			return outcomes;
		}
		finally {
			executor.shutdownNow();
			counter.shutdown();
		}
	}

	/**
	 * The ids each thread asks for, in order: thread {@code t} (of instance {@code t / threads}) makes
	 * {@code calls / instances / threads} calls, the first {@code calls % (instances × threads)}
	 * threads one more.
	 */
	static long[][] ids(int instances, int threads, int absentIds, int calls) {
		return ids(FIRST_ID, instances, threads, absentIds, calls);
	}

	private static long[][] ids(long first, int instances, int threads, int absentIds, int calls) {
		int all = instances * threads;
		long[][] ids = new long[all][];
		for (int t = 0; t < all; t++) {
			SplittableRandom random = new SplittableRandom(42 + t);
			ids[t] = new long[calls / all + ((t < calls % all) ? 1 : 0)];
			for (int i = 0; i < ids[t].length; i++) {
				ids[t][i] = first + random.nextInt(absentIds);
			}
		}
		return ids;
	}

	private static Outcome measure(Subject subject, ExecutorService executor, CommandCounter counter, int instances,
			int threads, long[][] ids) throws Exception {
		Set<Long> distinct = new HashSet<>();
		int distinctPerInstance = 0;
		for (int i = 0; i < instances; i++) {
			Set<Long> ofInstance = new HashSet<>();
			for (int t = i * threads; t < (i + 1) * threads; t++) {
				Arrays.stream(ids[t]).forEach(ofInstance::add);
			}
			distinct.addAll(ofInstance);
			distinctPerInstance += ofInstance.size();
		}
		try (Subjects subjects = new Subjects(counter.clientResources())) {
			List<Lookup> lookups = subject.start(subjects, instances);
			Map<String, Long> sentBefore = counter.snapshot();
			int loadsBefore = subjects.loads.get();
			Round round = call(executor, lookups, threads, ids);
			int loaderCalls = subjects.loads.get() - loadsBefore;
			long sent = CommandCounter.total(CommandCounter.difference(sentBefore, counter.snapshot()));
			long[] latencies = round.latencies();
			return new Outcome(subject.name(), instances, ids.length, latencies.length, distinct.size(),
					distinctPerInstance, loaderCalls, latencies.length * 1e9 / round.elapsedNanos(),
					micros(StampedeScenario.percentile(latencies, 50)),
					micros(StampedeScenario.percentile(latencies, 99)), (double) sent / latencies.length);
		}
	}

	@FunctionalInterface
	interface Lookup {

		@Nullable Book find(Long id) throws Exception;

	}

	@FunctionalInterface
	interface Instance {

		/** A new instance of the subject, keys under {@code keyPrefix} if it keeps them in Redis. */
		Lookup start(Subjects subjects, String keyPrefix);

	}

	/**
	 * One subject.
	 * @param name its name in the summary
	 * @param instance how to start one of its instances
	 */
	private record Subject(String name, Instance instance) {

		/** {@code instances} new instances, sharing a new key prefix. */
		List<Lookup> start(Subjects subjects, int instances) {
			String prefix = "bench-absent-" + System.nanoTime();
			List<Lookup> lookups = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				lookups.add(this.instance.start(subjects, prefix));
			}
			return lookups;
		}

	}

	/**
	 * The latencies of one round of calls, sorted, and how long it took.
	 * @param latencies every call's, sorted
	 * @param elapsedNanos from the start of the first call to the return of the last one
	 */
	record Round(long[] latencies, long elapsedNanos) {
	}

	/** Thread {@code t} asks {@code lookups.get(t / threads)} for {@code ids[t]}, all threads at once. */
	static Round call(ExecutorService executor, List<Lookup> lookups, int threads, long[][] ids)
			throws Exception {
		CountDownLatch go = new CountDownLatch(1);
		List<Future<long[]>> threadLatencies = new ArrayList<>();
		for (int t = 0; t < ids.length; t++) {
			Lookup lookup = lookups.get(t / threads);
			long[] own = ids[t];
			threadLatencies.add(executor.submit(() -> {
				long[] latencies = new long[own.length];
				go.await();
				for (int i = 0; i < own.length; i++) {
					long started = System.nanoTime();
					@Nullable Book found = lookup.find(own[i]);
					latencies[i] = System.nanoTime() - started;
					if (found != null) {
						throw new IllegalStateException("Absent id " + own[i] + " found: " + found);
					}
				}
				return latencies;
			}));
		}
		long started = System.nanoTime();
		go.countDown();
		List<long[]> returned = new ArrayList<>();
		for (Future<long[]> latencies : threadLatencies) {
			returned.add(latencies.get(10, TimeUnit.MINUTES));
		}
		long elapsed = System.nanoTime() - started;
		return new Round(returned.stream().flatMapToLong(Arrays::stream).sorted().toArray(), elapsed);
	}

	static double micros(long nanos) {
		return nanos / 1_000.0;
	}

}
