package dev.tiercache.benchmarks;

import java.io.BufferedReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * A load scenario, not a JMH benchmark: {@code @WriteBehind} against a direct JDBC upsert per call,
 * on PostgreSQL ({@code TIERCACHE_PG_URL}, Testcontainers, or an embedded server) and Redis. Each
 * phase runs in a JVM of its own, as JMH forks each benchmark, so that no phase runs on code the JIT
 * compiled for another (each application context makes a proxy class of its own):
 * <ol>
 * <li><b>Direct:</b> {@code threads} threads upsert {@code writes} rows, one JDBC call each.</li>
 * <li><b>Enqueue:</b> one instance that does not flush: the same threads make {@code writes}
 * {@code @WriteBehind} calls of distinct keys, after as many again to warm up: what the call costs.</li>
 * <li><b>Drain:</b> a new instance starts and applies what the enqueue phase queued: the time from its
 * start to an empty queue.</li>
 * <li><b>Enqueue while flushing:</b> one instance makes {@code writes} calls over {@code keys} keys while
 * its own flusher writes to the database on the same machine: calls per second, how many method calls
 * coalescing saved, and when the database caught up.</li>
 * </ol>
 */
final class WriteBehindScenario {

	/**
	 * What the scenario measured.
	 * @param writes calls per phase
	 * @param threads caller threads
	 * @param directPerSecond direct upserts per second
	 * @param directP50Micros median latency of a direct upsert
	 * @param directP99Micros 99th percentile of a direct upsert
	 * @param enqueuedPerSecond {@code @WriteBehind} calls per second (one instance) while its flusher runs
	 * @param enqueueP50Micros median call latency, flusher running
	 * @param enqueueP99Micros 99th percentile call latency, flusher running
	 * @param quietPerSecond {@code @WriteBehind} calls per second by an instance that does not flush
	 * @param quietP50Micros median call latency, no flusher
	 * @param quietP99Micros 99th percentile call latency, no flusher
	 * @param keys distinct keys in the enqueue-while-flushing phase
	 * @param methodCalls write-method calls the flusher made for that phase
	 * @param caughtUpMillis from its first call until the database held every key's last value
	 * @param drained entries the new instance applied in the drain phase (the measured calls and the
	 * warm-up calls, each of a distinct key)
	 * @param drainMillis from its start until the queue was empty
	 */
	record Outcome(int writes, int threads, double directPerSecond, double directP50Micros, double directP99Micros,
			double enqueuedPerSecond, double enqueueP50Micros, double enqueueP99Micros, double quietPerSecond,
			double quietP50Micros, double quietP99Micros, int keys, long methodCalls, long caughtUpMillis,
			long drained, long drainMillis) {

		double coalescedShare() {
			return 1.0 - (double) this.methodCalls / this.writes;
		}

	}

	/**
	 * What the skewed run measured: the same calls, over keys of which a fifth take about four fifths of
	 * the calls, made directly and through {@code @WriteBehind} with its flusher running, with the default
	 * settings and with a coalescing window.
	 * @param writes calls per subject
	 * @param keys distinct keys
	 * @param directPerSecond direct upserts per second (each one statement)
	 * @param hotWrites calls that wrote the hottest fifth of the keys
	 * @param defaults {@code @WriteBehind} with the scenario's settings
	 * @param coalesced {@code @WriteBehind} with {@link #COALESCING}
	 */
	record Skewed(int writes, int keys, double directPerSecond, long hotWrites, SkewedRun defaults,
			SkewedRun coalesced) {

	}

	/**
	 * One {@code @WriteBehind} subject of the skewed run.
	 * @param perSecond calls per second while its flusher runs
	 * @param methodCalls write-method calls (database statements) the flusher made
	 * @param hotCalls write-method calls the flusher made for the hottest fifth of the keys
	 * @param caughtUpMillis from the first call until the database held every key's last value
	 */
	record SkewedRun(double perSecond, long methodCalls, long hotCalls, long caughtUpMillis) {

		/** How many times fewer statements {@code hotWrites} calls took through {@code @WriteBehind}. */
		double hotStatementsSaved(long hotWrites) {
			return (double) hotWrites / Math.max(1, this.hotCalls);
		}

	}

	/** The settings of the skewed run's second {@code @WriteBehind} subject, over the scenario's own. */
	static final List<String> COALESCING = List.of("tiercache.defaults.write-behind.coalesce-window=500ms",
			"tiercache.defaults.write-behind.batch-size=1000");

	private static final String TABLE = "bench_write_behind";

	/** How a phase's JVM reports what it measured: one line, this marker, then {@code name=value} pairs. */
	private static final String RESULT = "RESULT";

	private WriteBehindScenario() {
	}

	/**
	 * @throws IllegalArgumentException unless {@code keys} divides {@code writes} and is a multiple of
	 * {@code threads}: then call {@code i} writes key {@code i % keys} at version {@code i / keys} on thread
	 * {@code i % threads}, so each key is written by one thread and its last value is known
	 */
	static Outcome run(int writes, int threads, int keys) throws Exception {
		if (writes % keys != 0 || keys % threads != 0) {
			throw new IllegalArgumentException("keys (" + keys + ") must divide writes (" + writes
					+ ") and be a multiple of threads (" + threads + ")");
		}
		String database = TestPostgres.jdbcUrl();
		JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database));
		String prefix = "bench-wb-" + System.nanoTime();
		try {
			resetTable(jdbc);
			Map<String, String> direct = fork("direct", database, prefix + "-direct", writes, threads, keys);
			resetTable(jdbc);
			Map<String, String> quiet = fork("enqueue", database, prefix + "-drain", writes, threads, keys);
			Map<String, String> drain = fork("drain", database, prefix + "-drain", writes, threads, keys);
			long drained = count(jdbc);
			resetTable(jdbc);
			Map<String, String> flushing = fork("flushing", database, prefix, writes, threads, keys);
			return new Outcome(writes, threads, number(direct, "perSecond"), number(direct, "p50"),
					number(direct, "p99"), number(flushing, "perSecond"), number(flushing, "p50"),
					number(flushing, "p99"), number(quiet, "perSecond"), number(quiet, "p50"), number(quiet, "p99"),
					keys, (long) number(flushing, "methodCalls"), (long) number(flushing, "caughtUpMillis"), drained,
					(long) number(drain, "drainMillis"));
		}
		finally {
			jdbc.execute("drop table if exists " + TABLE);
		}
	}

	/**
	 * The skewed run: {@code writes} calls from {@code threads} threads over {@code keys} keys ({@link #skewedKeys}),
	 * first as direct upserts, then through {@code @WriteBehind} with its flusher running, each in a JVM of
	 * its own.
	 * @throws IllegalArgumentException unless {@code keys} is a multiple of {@code threads}
	 */
	static Skewed runSkewed(int writes, int threads, int keys) throws Exception {
		if (keys % threads != 0) {
			throw new IllegalArgumentException("keys (" + keys + ") must be a multiple of threads (" + threads + ")");
		}
		String database = TestPostgres.jdbcUrl();
		JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database));
		String prefix = "bench-wb-skewed-" + System.nanoTime();
		try {
			resetTable(jdbc);
			Map<String, String> direct = fork("direct-skewed", database, prefix + "-direct", writes, threads, keys);
			resetTable(jdbc);
			Map<String, String> defaults = fork("skewed", database, prefix, writes, threads, keys);
			resetTable(jdbc);
			Map<String, String> coalesced = fork("skewed", database, prefix + "-coalesced", writes, threads, keys,
					COALESCING);
			return new Skewed(writes, keys, number(direct, "perSecond"), (long) number(defaults, "hotWrites"),
					skewedRun(defaults), skewedRun(coalesced));
		}
		finally {
			jdbc.execute("drop table if exists " + TABLE);
		}
	}

	/**
	 * The key of each call: call {@code i} runs on thread {@code i % threads} and writes one of that thread's
	 * keys (so each key has one writer, and its last value is the one of its last call), drawn so that
	 * about 80 % of the calls go to the lowest-ranked 20 % of the keys ({@code rank = n * u^7}, {@code u}
	 * uniform, seeded by {@code i}: the same sequence on every run).
	 */
	static long[] skewedKeys(int writes, int threads, int keys) {
		int perThread = keys / threads;
		long[] keyOf = new long[writes];
		for (int i = 0; i < writes; i++) {
			int rank = (int) (perThread * Math.pow(new SplittableRandom(i).nextDouble(), 7));
			keyOf[i] = (i % threads) + (long) threads * rank;
		}
		return keyOf;
	}

	/** The hottest fifth of the keys, by how many calls write them. */
	static Set<Long> hottestFifth(long[] keyOf, int keys) {
		Map<Long, Long> writes = new HashMap<>();
		for (long key : keyOf) {
			writes.merge(key, 1L, Long::sum);
		}
		return writes.entrySet().stream().sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
			.limit(keys / 5).map(Map.Entry::getKey).collect(Collectors.toSet());
	}

	private static SkewedRun skewedRun(Map<String, String> reported) {
		return new SkewedRun(number(reported, "perSecond"), (long) number(reported, "methodCalls"),
				(long) number(reported, "hotCalls"), (long) number(reported, "caughtUpMillis"));
	}

	/** Runs one phase in a JVM of its own on this class path, and returns what it reported. */
	private static Map<String, String> fork(String phase, String database, String prefix, int writes, int threads,
			int keys) throws Exception {
		return fork(phase, database, prefix, writes, threads, keys, List.of());
	}

	/**
	 * Runs one phase in a JVM of its own on this class path, with {@code properties} (as system properties,
	 * which override the phase's own), and returns what it reported.
	 */
	private static Map<String, String> fork(String phase, String database, String prefix, int writes, int threads,
			int keys, List<String> properties) throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-D" + BenchRedis.PROPERTY + "=" + BenchRedis.uri()));
		properties.forEach((property) -> command.add("-D" + property));
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), WriteBehindScenario.class.getName(),
				"--phase", phase, prefix, Integer.toString(writes), Integer.toString(threads), Integer.toString(keys)));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put(TestPostgres.URL_VARIABLE, database);
		Process process = builder.start();
		List<String> output = new ArrayList<>();
		try (BufferedReader lines = process.inputReader()) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				output.add(line);
			}
		}
		int exit = process.waitFor();
		String result = output.stream().filter((line) -> line.startsWith(RESULT + " ")).findFirst().orElse(null);
		if (exit != 0 || result == null) {
			throw new IllegalStateException("write-behind phase '" + phase + "' failed (exit " + exit + "):\n"
					+ String.join("\n", output));
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (String pair : result.substring(RESULT.length() + 1).split(" ")) {
			int equals = pair.indexOf('=');
			values.put(pair.substring(0, equals), pair.substring(equals + 1));
		}
		return values;
	}

	private static double number(Map<String, String> values, String name) {
		String value = values.get(name);
		if (value == null) {
			throw new IllegalStateException("a write-behind phase did not report '" + name + "': " + values);
		}
		return Double.parseDouble(value);
	}

	/** One phase, in this JVM; prints its {@link #RESULT} line. */
	private static void phase(String phase, String prefix, int writes, int threads, int keys) throws Exception {
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		Map<String, Object> result = new LinkedHashMap<>();
		long[] latencies = new long[writes];
		try {
			switch (phase) {
				case "direct" -> direct(prefix, callers, threads, writes, latencies, result,
						(rows, i) -> rows.upsert(i, 0));
				case "enqueue" -> {
					try (ConfigurableApplicationContext producer = start(prefix, "1h", "0s")) {
						Rows rows = producer.getBean(Rows.class);
						warmUp(callers, threads, 2 * writes, rows);
						long nanos = timed(callers, threads, writes, latencies, (i) -> rows.save(new Row(i, 1)));
						rates(result, writes, nanos, latencies);
					}
				}
				case "drain" -> {
					long started = System.nanoTime();
					try (ConfigurableApplicationContext consumer = start(prefix, "20ms", "10s")) {
						WriteBehindQueues queues = consumer.getBean(WriteBehindQueues.class);
						awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
						result.put("drainMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
					}
				}
				case "flushing" -> {
					try (ConfigurableApplicationContext instance = start(prefix, "100ms", "10s")) {
						Rows rows = instance.getBean(Rows.class);
						WriteBehindQueues queues = instance.getBean(WriteBehindQueues.class);
						warmUp(callers, threads, 2 * writes, rows);
						awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
						long callsBefore = rows.calls();
						long started = System.nanoTime();
						long nanos = timed(callers, threads, writes, latencies, (i) -> rows.save(new Row(i % keys, i / keys)));
						long lastVersion = (writes - 1) / keys;
						awaitCondition(() -> rows.countAtVersion(lastVersion, keys) == Math.min(keys, writes));
						result.put("caughtUpMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
						awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
						result.put("methodCalls", rows.calls() - callsBefore);
						rates(result, writes, nanos, latencies);
					}
				}
				case "direct-skewed" -> {
					long[] keyOf = skewedKeys(writes, threads, keys);
					direct(prefix, callers, threads, writes, latencies, result, (rows, i) -> rows.upsert(keyOf[i], i));
				}
				case "skewed" -> {
					long[] keyOf = skewedKeys(writes, threads, keys);
					Set<Long> hot = hottestFifth(keyOf, keys);
					Map<Long, Long> last = new HashMap<>();
					for (int i = 0; i < writes; i++) {
						last.put(keyOf[i], (long) i);
					}
					try (ConfigurableApplicationContext instance = start(prefix, "100ms", "10s")) {
						Rows rows = instance.getBean(Rows.class);
						WriteBehindQueues queues = instance.getBean(WriteBehindQueues.class);
						warmUp(callers, threads, 2 * writes, rows);
						awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
						long callsBefore = rows.calls();
						rows.countCallsOf(hot);
						long started = System.nanoTime();
						long nanos = timed(callers, threads, writes, latencies, (i) -> rows.save(new Row(keyOf[i], i)));
						awaitCondition(() -> rows.versions(keys).equals(last));
						result.put("caughtUpMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
						awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
						result.put("methodCalls", rows.calls() - callsBefore);
						result.put("hotCalls", rows.countedCalls());
						result.put("hotWrites", Arrays.stream(keyOf).filter(hot::contains).count());
						rates(result, writes, nanos, latencies);
					}
				}
				default -> throw new IllegalArgumentException("unknown write-behind phase '" + phase + "'");
			}
		}
		finally {
			callers.shutdownNow();
		}
		StringBuilder line = new StringBuilder(RESULT);
		result.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
		System.out.println(line);
	}

	/** A direct phase: warmed up on keys outside the measured range, then {@code upsert} for each call. */
	private static void direct(String prefix, ExecutorService callers, int threads, int writes, long[] latencies,
			Map<String, Object> result, DirectCall upsert) throws Exception {
		try (ConfigurableApplicationContext instance = start(prefix, "1h", "0s")) {
			Rows direct = new Rows(new JdbcTemplate(instance.getBean(DataSource.class)));
			long warmUpOffset = 1L << 40;
			timed(callers, threads, writes, new long[writes], (i) -> direct.upsert(warmUpOffset + i, 0));
			long nanos = timed(callers, threads, writes, latencies, (i) -> upsert.run(direct, i));
			direct.deleteFrom(warmUpOffset);
			rates(result, writes, nanos, latencies);
		}
	}

	@FunctionalInterface
	private interface DirectCall {

		void run(Rows rows, int index);

	}

	private static void rates(Map<String, Object> result, int writes, long nanos, long[] latencies) {
		Arrays.sort(latencies);
		result.put("perSecond", writes / (nanos / 1e9));
		result.put("p50", percentile(latencies, 50) / 1_000.0);
		result.put("p99", percentile(latencies, 99) / 1_000.0);
	}

	private static ConfigurableApplicationContext start(String prefix, String flushInterval, String drainTimeout) {
		URI redis = BenchRedis.uri();
		return new SpringApplicationBuilder(WriteBehindApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "logging.level.root=WARN",
					"spring.datasource.url=" + TestPostgres.jdbcUrl(), "spring.data.redis.host=" + redis.getHost(),
					"spring.data.redis.port=" + redis.getPort(), "tiercache.key-prefix=" + prefix,
					"tiercache.defaults.write-behind.flush-interval=" + flushInterval,
					"tiercache.defaults.write-behind.drain-timeout=" + drainTimeout,
					"tiercache.defaults.write-behind.concurrency=4", "tiercache.defaults.write-behind.batch-size=200",
					// a measurement, not a fault test: a stall of the loaded machine shows in p99, never as a failure
					"tiercache.redis.timeout=2s")
			.run();
	}

	/**
	 * Warms the call path up (JIT, SpEL compilation, codec learning) with {@code calls} writes of keys
	 * outside the measured range (on two vCPUs the JIT needs some 200,000 calls).
	 */
	private static void warmUp(ExecutorService callers, int threads, int calls, Rows rows) throws Exception {
		long offset = 1L << 40;
		timed(callers, threads, calls, new long[calls], (i) -> rows.save(new Row(offset + i, 0)));
	}

	private static void resetTable(JdbcTemplate jdbc) {
		jdbc.execute("drop table if exists " + TABLE);
		jdbc.execute("create table " + TABLE + " (id bigint primary key, version bigint not null, payload text not null)");
	}

	private static long count(JdbcTemplate jdbc) {
		Long count = jdbc.queryForObject("select count(*) from " + TABLE, Long.class);
		return (count != null) ? count : 0;
	}

	@FunctionalInterface
	private interface Call {

		void run(int index) throws Exception;

	}

	/** Runs {@code writes} calls from {@code threads} threads, recording each latency; returns the wall time. */
	private static long timed(ExecutorService callers, int threads, int writes, long[] latencies, Call call)
			throws Exception {
		List<Future<?>> done = new ArrayList<>();
		long started = System.nanoTime();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			done.add(callers.submit(() -> {
				for (int i = thread; i < writes; i += threads) {
					long before = System.nanoTime();
					call.run(i);
					latencies[i] = System.nanoTime() - before;
				}
				return null;
			}));
		}
		for (Future<?> future : done) {
			future.get(10, TimeUnit.MINUTES);
		}
		return System.nanoTime() - started;
	}

	private static void awaitCondition(java.util.concurrent.Callable<Boolean> condition) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
		while (!condition.call()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("write-behind scenario: condition not met within 10 minutes");
			}
			Thread.sleep(10);
		}
	}

	private static long percentile(long[] sorted, int percent) {
		int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	/** Upserts rows of the scenario's table: directly, or through {@code @WriteBehind}. Public, as services are. */
	public static class Rows {

		static final String CACHE = "bench-rows";

		private final AtomicLong calls = new AtomicLong();

		private final JdbcTemplate jdbc;

		Rows(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		void upsert(long id, long version) {
			this.jdbc.update("insert into " + TABLE + " (id, version, payload) values (?, ?, ?) on conflict (id) do "
					+ "update set version = excluded.version, payload = excluded.payload", id, version, "row-" + version);
		}

		private final AtomicLong counted = new AtomicLong();

		private volatile Set<Long> countedKeys = Set.of();

		@WriteBehind(cache = CACHE, key = "#row.id")
		public void save(Row row) {
			this.calls.incrementAndGet();
			if (this.countedKeys.contains(row.id())) {
				this.counted.incrementAndGet();
			}
			upsert(row.id(), row.version());
		}

		/** Counts the write-method calls of these keys from now on ({@link #countedCalls()}). */
		public void countCallsOf(Set<Long> keys) {
			this.counted.set(0);
			this.countedKeys = Set.copyOf(keys);
		}

		/** Write-method calls of the keys given to {@link #countCallsOf} since. */
		public long countedCalls() {
			return this.counted.get();
		}

		/** Each row's version, for the ids below {@code keys}. */
		Map<Long, Long> versions(int keys) {
			Map<Long, Long> versions = new HashMap<>();
			this.jdbc.query("select id, version from " + TABLE + " where id < ?",
					(row) -> {
						versions.put(row.getLong(1), row.getLong(2));
					}, keys);
			return versions;
		}

		/** How many times the write method ran (a method, as the bean is a proxy). */
		public long calls() {
			return this.calls.get();
		}

		void deleteFrom(long id) {
			this.jdbc.update("delete from " + TABLE + " where id >= ?", id);
		}

		long countAtVersion(long version, int keys) {
			Long count = this.jdbc.queryForObject("select count(*) from " + TABLE + " where version = ? and id < ?",
					Long.class, version, keys);
			return (count != null) ? count : 0;
		}

	}

	/** What a write-behind call writes; public, as entities are (SpEL compiles {@code #row.id} then). */
	public record Row(long id, long version) {
	}

	/**
	 * The instance: Tiercache's auto-configuration, and a pooled data source of its own (JDBC
	 * auto-configuration is not on the benchmarks' class path, so the other subjects need no database).
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class WriteBehindApplication {

		@Bean(destroyMethod = "close")
		HikariDataSource dataSource(Environment environment) {
			HikariDataSource dataSource = new HikariDataSource();
			dataSource.setJdbcUrl(environment.getRequiredProperty("spring.datasource.url"));
			return dataSource;
		}

		@Bean
		Rows rows(DataSource dataSource) {
			return new Rows(new JdbcTemplate(dataSource));
		}

	}

	/**
	 * Runs the scenario alone: {@code java … WriteBehindScenario [writes [threads [keys]]]}; or, as the
	 * scenario does, one phase: {@code --phase <name> <prefix> <writes> <threads> <keys>}.
	 */
	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("--phase")) {
			phase(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
			return;
		}
		int writes = (args.length > 0) ? Integer.parseInt(args[0]) : 100_000;
		int threads = (args.length > 1) ? Integer.parseInt(args[1]) : 8;
		int keys = (args.length > 2) ? Integer.parseInt(args[2]) : 1_000;
		System.out.println(run(writes, threads, keys));
	}

}
