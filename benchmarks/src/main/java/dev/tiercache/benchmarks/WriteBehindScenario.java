package dev.tiercache.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * on PostgreSQL ({@code TIERCACHE_PG_URL}, Testcontainers, or an embedded server) and Redis.
 * <ol>
 * <li><b>Direct:</b> {@code threads} threads upsert {@code writes} rows, one JDBC call each.</li>
 * <li><b>Enqueue:</b> one instance, the same threads make {@code writes} {@code @WriteBehind} calls
 * over {@code keys} keys while its flusher runs: calls per second, call latency, then how many method
 * calls coalescing saved and when the database caught up.</li>
 * <li><b>Drain:</b> an instance that does not flush queues {@code writes} calls of distinct keys and
 * stops; a new instance starts and applies them: the time from its start to an empty queue.</li>
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
	 * @param keys distinct keys in the enqueue phase
	 * @param methodCalls write-method calls the flusher made for the enqueue phase
	 * @param caughtUpMillis from the first call until the database held every key's last value
	 * @param drained entries the new instance applied in the drain phase (the measured calls and as many
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

	private static final String TABLE = "bench_write_behind";

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
		JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));
		String prefix = "bench-wb-" + System.nanoTime();
		resetTable(jdbc);
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		try {
			long[] directLatencies = new long[writes];
			long directNanos;
			try (ConfigurableApplicationContext instance = start(prefix + "-direct", "1h", "0s")) {
				Rows direct = new Rows(new JdbcTemplate(instance.getBean(DataSource.class)));
				directNanos = timed(callers, threads, writes, directLatencies, (i) -> direct.upsert(i, 0));
			}

			resetTable(jdbc);
			long[] callLatencies = new long[writes];
			long enqueueNanos;
			long methodCalls;
			long caughtUpMillis;
			try (ConfigurableApplicationContext instance = start(prefix, "20ms", "10s")) {
				Rows rows = instance.getBean(Rows.class);
				WriteBehindQueues queues = instance.getBean(WriteBehindQueues.class);
				warmUp(callers, threads, writes, rows);
				awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
				long callsBefore = rows.calls();
				long started = System.nanoTime();
				enqueueNanos = timed(callers, threads, writes, callLatencies, (i) -> rows.save(new Row(i % keys, i / keys)));
				long lastVersion = (writes - 1) / keys;
				awaitCondition(() -> rows.countAtVersion(lastVersion, keys) == Math.min(keys, writes));
				caughtUpMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
				methodCalls = rows.calls() - callsBefore;
			}

			resetTable(jdbc);
			String drainPrefix = prefix + "-drain";
			long[] quietLatencies = new long[writes];
			long quietNanos;
			try (ConfigurableApplicationContext producer = start(drainPrefix, "1h", "0s")) {
				Rows rows = producer.getBean(Rows.class);
				warmUp(callers, threads, writes, rows);
				quietNanos = timed(callers, threads, writes, quietLatencies, (i) -> rows.save(new Row(i, 1)));
			}
			long drainMillis;
			long started = System.nanoTime();
			try (ConfigurableApplicationContext consumer = start(drainPrefix, "20ms", "10s")) {
				WriteBehindQueues queues = consumer.getBean(WriteBehindQueues.class);
				awaitCondition(() -> queues.stats(Rows.CACHE).depth() == 0);
				drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			}
			long drained = count(jdbc);
			Arrays.sort(directLatencies);
			Arrays.sort(callLatencies);
			Arrays.sort(quietLatencies);
			return new Outcome(writes, threads, writes / seconds(directNanos), micros(percentile(directLatencies, 50)),
					micros(percentile(directLatencies, 99)), writes / seconds(enqueueNanos),
					micros(percentile(callLatencies, 50)), micros(percentile(callLatencies, 99)),
					writes / seconds(quietNanos), micros(percentile(quietLatencies, 50)),
					micros(percentile(quietLatencies, 99)), keys, methodCalls, caughtUpMillis, drained, drainMillis);
		}
		finally {
			callers.shutdownNow();
			jdbc.execute("drop table if exists " + TABLE);
		}
	}

	private static ConfigurableApplicationContext start(String prefix, String flushInterval, String drainTimeout) {
		URI redis = BenchRedis.uri();
		return new SpringApplicationBuilder(WriteBehindApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "logging.level.root=WARN",
					"spring.datasource.url=" + TestPostgres.jdbcUrl(), "spring.data.redis.host=" + redis.getHost(),
					"spring.data.redis.port=" + redis.getPort(), "tiercache.key-prefix=" + prefix,
					"tiercache.defaults.write-behind.flush-interval=" + flushInterval,
					"tiercache.defaults.write-behind.drain-timeout=" + drainTimeout,
					"tiercache.defaults.write-behind.concurrency=4", "tiercache.defaults.write-behind.batch-size=200")
			.run();
	}

	/**
	 * Warms the call path up (JIT, SpEL compilation, codec learning) with as many writes as will be
	 * measured, of keys outside the measured range (on two vCPUs the JIT needs some 60,000 calls).
	 */
	private static void warmUp(ExecutorService callers, int threads, int writes, Rows rows) throws Exception {
		long offset = 1L << 40;
		timed(callers, threads, writes, new long[writes], (i) -> rows.save(new Row(offset + i, 0)));
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

	private static double seconds(long nanos) {
		return nanos / 1e9;
	}

	private static double micros(long nanos) {
		return nanos / 1_000.0;
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

		@WriteBehind(cache = CACHE, key = "#row.id")
		public void save(Row row) {
			this.calls.incrementAndGet();
			upsert(row.id(), row.version());
		}

		/** How many times the write method ran (a method, as the bean is a proxy). */
		public long calls() {
			return this.calls.get();
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

	/** Runs the scenario alone: {@code java … WriteBehindScenario [writes [threads [keys]]]}. */
	public static void main(String[] args) throws Exception {
		int writes = (args.length > 0) ? Integer.parseInt(args[0]) : 100_000;
		int threads = (args.length > 1) ? Integer.parseInt(args[1]) : 8;
		int keys = (args.length > 2) ? Integer.parseInt(args[2]) : 1_000;
		System.out.println(run(writes, threads, keys));
	}

}
