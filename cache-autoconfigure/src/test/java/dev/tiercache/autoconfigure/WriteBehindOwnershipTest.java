package dev.tiercache.autoconfigure;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriteBehindWorker;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who applies a write-behind partition (issue 16, items 8 and 21): a killed owner's partition is taken
 * over within 5 s of its death with the default {@code claim-idle}, losing nothing, in per-key order and
 * applying nothing twice; a live owner whose call takes 10 s keeps its partition; an owner that lost its
 * lease (cut off from Redis for longer than {@code claim-idle}) applies and acknowledges nothing once
 * another instance took over. One partition, so that the instances contend for it. Instances are
 * application contexts and, for the kill, a JVM of its own, on the shared Redis and PostgreSQL.
 */
@ExtendWith(OutputCaptureExtension.class)
class WriteBehindOwnershipTest {

	private static final String ONE_PARTITION = "tiercache.defaults.write-behind.partitions=1";

	/** A lease shorter than the default, so that a stale owner appears sooner. */
	private static final String CLAIM_IDLE = "tiercache.defaults.write-behind.claim-idle=2s";

	private final TestContexts contexts = new TestContexts();

	private final String table = "owners_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	private final LettuceConnectionFactory redisConnections = TestRedis.connectionFactory();

	private final StringRedisTemplate redis = new StringRedisTemplate(this.redisConnections);

	private final List<WriterProbe> probes = new ArrayList<>();

	private @Nullable Process worker;

	@AfterEach
	void close() {
		if (this.worker != null) {
			this.worker.destroyForcibly();
		}
		this.probes.forEach(WriterProbe::releaseAll);
		this.contexts.close();
		this.redisConnections.destroy();
		PriceService.dropTables(this.jdbc, this.table);
	}

	private ConfigurableApplicationContext start(WriterProbe probe, String... properties) {
		this.probes.add(probe);
		List<String> all = new ArrayList<>(List.of("spring.datasource.url=" + TestPostgres.jdbcUrl(), ONE_PARTITION));
		all.addAll(List.of(properties));
		return this.contexts.start(WriteBehindApplication.class, Map.of("probe", probe, "table", this.table),
				all.toArray(String[]::new));
	}

	@Test
	void aKilledOwnersQueuedWritesAreAllAppliedByAnotherInstanceWithinFiveSecondsOfItsDeath() throws Exception {
		int writes = 300;
		int keys = 100;
		PriceService.createTables(this.jdbc, this.table);
		// the worker takes the partition, queues 300 writes (3 versions of 100 keys) and holds its first call
		// before it writes anything
		this.worker = startWorker(writes, keys);
		BufferedReader output = new BufferedReader(
				new InputStreamReader(this.worker.getInputStream(), StandardCharsets.UTF_8));
		assertThat(CompletableFuture.supplyAsync(() -> readUntil(output, "HELD")).get(120, TimeUnit.SECONDS))
			.isEqualTo("HELD");
		assertThat(this.redis.hasKey(leaseKey())).as("the worker owns the partition").isTrue();
		ConfigurableApplicationContext survivor = start(new WriterProbe());
		assertThat(logRows()).as("the live owner keeps its partition").isZero();

		// SIGKILL: no shutdown hook, no drain, no release
		this.worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		long died = System.nanoTime();
		long diedAt = System.currentTimeMillis();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> logRows() >= writes);
		long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
		Long firstApplied = this.jdbc.queryForObject("select (extract(epoch from min(applied_at)) * 1000)::bigint from "
				+ this.table + "_log", Long.class);
		System.out.printf("write-behind failover: %d writes queued by an instance killed with SIGKILL; the other "
				+ "instance applied the first %d ms and all %d ms after the kill (claim-idle: default)%n", writes,
				(firstApplied != null) ? firstApplied - diedAt : -1, tookMillis);

		assertThat(tookMillis).as("applied within 5 s of the owner's death").isLessThan(5000);
		assertThat(logRows()).as("none applied twice").isEqualTo(writes);
		Map<Long, Long> last = new HashMap<>();
		Set<String> applied = new HashSet<>();
		this.jdbc.query("select id, version from " + this.table + "_log order by seq", (row) -> {
			long id = row.getLong(1);
			long version = row.getLong(2);
			assertThat(applied.add(id + "@" + version)).as("key %d version %d applied twice", id, version).isTrue();
			Long previous = last.put(id, version);
			assertThat(version).as("key %d applied out of order", id).isGreaterThan((previous != null) ? previous : 0);
		});
		assertThat(applied).as("none lost").hasSize(writes);
		Map<Long, Long> expected = new HashMap<>();
		for (long key = 0; key < keys; key++) {
			expected.put(key, (long) writes / keys);
		}
		assertThat(versionsInDatabase()).isEqualTo(expected);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> survivor.getBean(WriteBehindQueues.class).stats("prices").depth() == 0);
	}

	@Test
	void anOwnerWhoseCallTakesTenSecondsKeepsItsPartition() throws Exception {
		PriceService.createTables(this.jdbc, this.table);
		WriterProbe slow = new WriterProbe();
		WriterProbe other = new WriterProbe();
		ConfigurableApplicationContext owner = start(slow);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.redis.hasKey(leaseKey()));
		start(other);
		slow.hold(7);
		owner.getBean(PriceService.class).save(new Price(7, 1, "slow"));
		assertThat(slow.awaitHeld(7)).isTrue();

		// more than three leases (claim-idle, 3 s by default) without a heartbeat from the flushing thread
		await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
			.until(() -> other.calls.get() == 0);
		slow.release(7);
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase().containsKey(7L));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> owner.getBean(WriteBehindQueues.class).stats("prices").depth() == 0);
		assertThat(slow.calls).hasValue(1);
		assertThat(other.calls).hasValue(0);
		assertThat(logRows()).isEqualTo(1);
	}

	@Test
	void anOwnerCutOffLongerThanItsLeaseNeitherAppliesNorAcknowledgesOnceAnotherInstanceTookOver(
			CapturedOutput output) throws Exception {
		PriceService.createTables(this.jdbc, this.table);
		WriterProbe stale = new WriterProbe();
		WriterProbe successor = new WriterProbe();
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			ConfigurableApplicationContext cutOff = start(stale, "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + proxy.port(), "tiercache.redis.timeout=200ms", CLAIM_IDLE);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.redis.hasKey(leaseKey()));
			ConfigurableApplicationContext next = start(successor, CLAIM_IDLE);
			PriceService service = cutOff.getBean(PriceService.class);
			// the owner reads keys 1 and 2 in one batch (queued while it holds key 0) and holds key 1
			stale.hold(0);
			stale.hold(1);
			service.save(new Price(0, 1, "v1"));
			assertThat(stale.awaitHeld(0)).isTrue();
			service.save(new Price(1, 1, "v1"));
			service.save(new Price(2, 1, "v1"));
			stale.release(0);
			assertThat(stale.awaitHeld(1)).isTrue();

			// cut off: its heartbeats are lost, its lease runs out, the other instance takes over and applies
			// what it had read, then a newer write of key 2
			proxy.blackHole();
			await().atMost(Duration.ofSeconds(20)).until(() -> versionsInDatabase().getOrDefault(2L, 0L) == 1);
			next.getBean(PriceService.class).save(new Price(2, 2, "v2"));
			await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase().get(2L) == 2);

			// back: its call of key 1 ends (nothing can stop a call under way); it then must not apply key 2 v1
			// over v2, nor acknowledge anything
			proxy.restore();
			stale.release(1);
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(versionsInDatabase()).containsEntry(2L, 2L);
				assertThat(stale.calls).as("keys 0 and 1, nothing after it lost the partition").hasValue(2);
			});
			await().atMost(Duration.ofSeconds(20))
				.until(() -> output.getAll().contains("lost partition 0 to another instance"));
			String staleInstance = this.jdbc.queryForObject(
					"select instance from " + this.table + "_log where id = 0", String.class);
			assertThat(this.jdbc.queryForList("select id from " + this.table + "_log where instance = ? order by seq",
					Long.class, staleInstance)).containsExactly(0L, 1L);
			assertThat(this.jdbc.queryForList("select version from " + this.table + "_log where id = 2 order by seq",
					Long.class)).containsExactly(1L, 2L);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> next.getBean(WriteBehindQueues.class).stats("prices").depth() == 0);
			assertThat(versionsInDatabase()).containsEntry(2L, 2L);
		}
	}

	private String leaseKey() {
		return this.contexts.prefix + ":wb:owner:{prices:0}";
	}

	private long logRows() {
		Long count = this.jdbc.queryForObject("select count(*) from " + this.table + "_log", Long.class);
		return (count != null) ? count : 0;
	}

	private Map<Long, Long> versionsInDatabase() {
		Map<Long, Long> versions = new HashMap<>();
		this.jdbc.query("select id, version from " + this.table, (row) -> {
			versions.put(row.getLong(1), row.getLong(2));
		});
		return versions;
	}

	private Process startWorker(int writes, int keys) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				WriteBehindWorker.class.getName(), this.table, Integer.toString(writes), Integer.toString(keys), "-1",
				"spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
				"tiercache.key-prefix=" + this.contexts.prefix, "spring.datasource.url=" + TestPostgres.jdbcUrl(),
				ONE_PARTITION, "logging.level.root=WARN"));
		return new ProcessBuilder(command).redirectError(new File("target/write-behind-owner.log")).start();
	}

	private static String readUntil(BufferedReader output, String line) {
		try {
			String read;
			while ((read = output.readLine()) != null) {
				if (read.equals(line)) {
					return read;
				}
			}
			return "worker exited before printing " + line + "; see target/write-behind-owner.log";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
