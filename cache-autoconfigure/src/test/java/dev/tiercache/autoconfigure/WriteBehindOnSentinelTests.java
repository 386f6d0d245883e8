package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisSentinelGroup;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @WriteBehind} on Redis Sentinel: the start-up warns when the primary takes writes without a
 * replica ({@code min-replicas-to-write} 0), since after a {@code SENTINEL FAILOVER} the old primary then
 * takes writes that are lost (the consistency checker found keys' writes applied out of order), and is
 * silent once the servers refuse them. A primary, a replica and three sentinels of their own.
 */
@SingleServer
@ExtendWith(OutputCaptureExtension.class)
class WriteBehindOnSentinelTests {

	private static final String WARNING = "runs on Redis Sentinel, and the primary takes writes without a replica";

	private final RedisSentinelGroup group = RedisSentinelGroup.start();

	private final TestContexts contexts = new TestContexts();

	private final String table = "sentinel_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	@AfterEach
	void close() {
		this.contexts.close();
		this.group.close();
		PriceService.dropTables(this.jdbc, this.table);
	}

	@Test
	void theStartUpWarnsWhenThePrimaryTakesWritesWithoutAReplica(CapturedOutput output) {
		start();
		assertThat(output.getOut()).contains(WARNING).contains("'min-replicas-to-write 1'");
	}

	@Test
	void theStartUpIsSilentWhenTheServersRefuseWritesWithoutAReplica(CapturedOutput output) {
		for (EmbeddedRedis server : List.of(this.group.primary(), this.group.replica())) {
			this.group.onServer(server, (redis) -> redis.configSet("min-replicas-to-write", "1"));
			this.group.onServer(server, (redis) -> redis.configSet("min-replicas-max-lag", "1"));
		}
		start();
		assertThat(output.getOut()).contains("Started").doesNotContain(WARNING);
	}

	private void start() {
		PriceService.createTables(this.jdbc, this.table);
		List<String> properties = new ArrayList<>(List.of(this.group.springProperties()));
		properties.add("spring.datasource.url=" + TestPostgres.jdbcUrl());
		// the check is one INFO at start-up: time enough for it on a loaded machine
		properties.add("tiercache.redis.timeout=2s");
		this.contexts.start(WriteBehindApplication.class, Map.of("probe", new WriterProbe(), "table", this.table),
				properties.toArray(String[]::new));
	}

}
