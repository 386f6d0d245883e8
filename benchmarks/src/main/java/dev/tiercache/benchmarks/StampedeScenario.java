package dev.tiercache.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * A load scenario, not a JMH benchmark: {@code instances} application contexts with
 * {@code threads} threads each call a cached method on one cold key at the same moment; the loader
 * takes 50 ms. Repeated for {@code keys} keys. Reports loader calls (ideal: one per key), caller
 * latency, the round trips each caller sent (counted in the Lettuce client) and the commands Redis
 * executed per caller ({@code INFO commandstats}, which also counts commands run inside scripts).
 */
final class StampedeScenario {

	/**
	 * What one run measured.
	 * @param subject what was measured
	 * @param keys how many cold keys
	 * @param callers how many calls in all
	 * @param loaderCalls how many times the loader ran
	 * @param p50Millis median caller latency
	 * @param p99Millis 99th percentile caller latency
	 * @param maxMillis slowest caller
	 * @param roundTripsPerCaller commands the clients sent, per caller
	 * @param serverCommandsPerCaller commands Redis executed, per caller
	 */
	record Outcome(String subject, int keys, int callers, int loaderCalls, double p50Millis, double p99Millis,
			double maxMillis, double roundTripsPerCaller, double serverCommandsPerCaller) {
	}

	private StampedeScenario() {
	}

	static Outcome tiered(int instances, int threads, int keys) throws Exception {
		return run("@CacheAside (tiered)", instances, threads, keys, (subjects) -> {
			String prefix = "bench-stampede-" + System.nanoTime();
			List<Caller> callers = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				Subjects.TieredCatalog catalog = subjects.tiered(prefix);
				callers.add(catalog::slow);
			}
			return callers;
		});
	}

	/**
	 * @param locking whether Spring's cache writer holds its per-cache lock across instances
	 */
	static Outcome spring(int instances, int threads, int keys, boolean locking) throws Exception {
		String subject = "Spring @Cacheable(sync = true) on Redis, " + (locking ? "locking" : "default") + " writer";
		return run(subject, instances, threads, keys, (subjects) -> {
			String prefix = "bench-stampede-spring-" + System.nanoTime();
			List<Caller> callers = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				Subjects.SpringCatalog catalog = subjects.springOnRedis(prefix, locking);
				callers.add(catalog::slow);
			}
			return callers;
		});
	}

	@FunctionalInterface
	interface Caller {

		Book call(Long key) throws Exception;

	}

	private static Outcome run(String subject, int instances, int threads, int keys,
			Function<Subjects, List<Caller>> start) throws Exception {
		CommandCounter counter = new CommandCounter();
		ExecutorService executor = Executors.newFixedThreadPool(instances * threads);
		URI redis = BenchRedis.uri();
		RedisClient client = RedisClient.create(RedisURI.create(redis.getHost(), redis.getPort()));
		try (Subjects subjects = new Subjects(counter.clientResources());
				StatefulRedisConnection<String, String> info = client.connect()) {
			List<Caller> callers = start.apply(subjects);
			long[] latencies = new long[keys * instances * threads];
			int recorded = 0;
			Map<String, Long> sentBefore = counter.snapshot();
			long serverBefore = serverCommands(info);
			int loadsBefore = subjects.loads.get();
			for (int k = 0; k < keys; k++) {
				Long key = 7_000_000L + k;
				CountDownLatch go = new CountDownLatch(1);
				List<Future<Long>> calls = new ArrayList<>();
				for (Caller caller : callers) {
					for (int t = 0; t < threads; t++) {
						calls.add(executor.submit(() -> {
							go.await();
							long started = System.nanoTime();
							caller.call(key);
							return System.nanoTime() - started;
						}));
					}
				}
				go.countDown();
				for (Future<Long> call : calls) {
					latencies[recorded++] = call.get(60, TimeUnit.SECONDS);
				}
			}
			int loaderCalls = subjects.loads.get() - loadsBefore;
			long sent = CommandCounter.total(CommandCounter.difference(sentBefore, counter.snapshot()));
			long executed = serverCommands(info) - serverBefore;
			Arrays.sort(latencies);
			return new Outcome(subject, keys, latencies.length, loaderCalls, millis(percentile(latencies, 50)),
					millis(percentile(latencies, 99)), millis(latencies[latencies.length - 1]),
					(double) sent / latencies.length, (double) executed / latencies.length);
		}
		finally {
			executor.shutdownNow();
			client.shutdown();
			counter.shutdown();
		}
	}

	/** Calls Redis has executed, all commands but {@code INFO} itself. */
	private static long serverCommands(StatefulRedisConnection<String, String> connection) {
		long total = 0;
		for (String line : connection.sync().info("commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
				int start = line.indexOf("calls=") + "calls=".length();
				int end = line.indexOf(',', start);
				total += Long.parseLong(line.substring(start, end));
			}
		}
		return total;
	}

	/** The value at {@code percent} of sorted values (nearest rank). */
	static long percentile(long[] sorted, int percent) {
		int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	private static double millis(long nanos) {
		return nanos / 1_000_000.0;
	}

}
