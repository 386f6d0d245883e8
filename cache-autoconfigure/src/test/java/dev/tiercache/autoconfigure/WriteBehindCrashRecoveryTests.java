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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriteBehindWorker;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, crash recovery: a separate JVM acknowledges 5,000 {@code @WriteBehind} writes with a slow
 * writer and is killed with {@code SIGKILL} mid-flush; a new instance claims what it left (read but
 * not acknowledged, or not read) and every acknowledged write reaches PostgreSQL, compared row by row.
 */
class WriteBehindCrashRecoveryTests {

	private static final int WRITES = 5_000;

	private static final String CLAIM_IDLE = "2s";

	private final TestContexts contexts = new TestContexts();

	private final String table = "crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	private Process worker;

	@AfterEach
	void close() {
		if (this.worker != null) {
			this.worker.destroyForcibly();
		}
		this.contexts.close();
		PriceService.dropTables(this.jdbc, this.table);
	}

	@Test
	void everyWriteAcknowledgedByAnInstanceKilledMidFlushReachesTheDatabase() throws Exception {
		PriceService.createTables(this.jdbc, this.table);
		this.worker = startWorker();
		BufferedReader output = new BufferedReader(
				new InputStreamReader(this.worker.getInputStream(), StandardCharsets.UTF_8));
		String acknowledged = CompletableFuture.supplyAsync(() -> readUntilAcknowledged(output))
			.get(120, TimeUnit.SECONDS);
		assertThat(acknowledged).isEqualTo("ACKNOWLEDGED " + WRITES);
		await().atMost(Duration.ofSeconds(60)).until(() -> appliedRows() >= 300);

		// Process.destroyForcibly is SIGKILL on Linux: no shutdown hook, no drain
		this.worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		long killedAt = System.nanoTime();
		long appliedBeforeKill = appliedRows();
		assertThat(appliedBeforeKill).as("killed mid-flush").isLessThan(WRITES);

		this.contexts.start(WriteBehindApplication.class, Map.of("probe", new WriterProbe(), "table", this.table),
				properties());
		await().atMost(Duration.ofSeconds(60)).until(() -> appliedRows() == WRITES);
		long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
		System.out.printf("write-behind crash: %d writes acknowledged, %d applied before SIGKILL, all %d in "
				+ "PostgreSQL %d ms after the kill (claim-idle %s)%n", WRITES, appliedBeforeKill, WRITES,
				recoveryMillis, CLAIM_IDLE);

		Map<Long, String> rows = new HashMap<>();
		this.jdbc.query("select id, amount from " + this.table, (row) -> {
			rows.put(row.getLong(1), row.getString(2));
		});
		for (long id = 0; id < WRITES; id++) {
			assertThat(rows.get(id)).as("row %d", id).isEqualTo("acknowledged-" + id);
		}
	}

	private long appliedRows() {
		Long count = this.jdbc.queryForObject("select count(*) from " + this.table, Long.class);
		return (count != null) ? count : 0;
	}

	private String[] properties() {
		return new String[] { "spring.datasource.url=" + TestPostgres.jdbcUrl(),
				"tiercache.defaults.write-behind.claim-idle=" + CLAIM_IDLE,
				"tiercache.defaults.write-behind.flush-interval=20ms", "tiercache.defaults.write-behind.batch-size=50" };
	}

	private Process startWorker() throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp",
				System.getProperty("java.class.path"), WriteBehindWorker.class.getName(), this.table,
				Integer.toString(WRITES), Integer.toString(WRITES), "3", "tiercache.key-prefix=" + this.contexts.prefix,
				"logging.level.root=WARN"));
		command.addAll(List.of(TestRedis.springProperties()));
		command.addAll(List.of(properties()));
		return new ProcessBuilder(command).redirectError(new File("target/write-behind-worker.log")).start();
	}

	private static String readUntilAcknowledged(BufferedReader output) {
		try {
			String line;
			while ((line = output.readLine()) != null) {
				if (line.startsWith("ACKNOWLEDGED")) {
					return line;
				}
			}
			return "worker exited without acknowledging; see target/write-behind-worker.log";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
