package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, write-behind durability: with {@code durability=replica} a call returns once a real replica
 * has the entry ({@code WAIT}), and, when no replica confirms in time, once a flusher applied it (never
 * run synchronously around the queue); {@code durability=aof} on a Redis without {@code WAITAOF} (the
 * embedded 6.2) queues nothing and runs calls synchronously while none of their key is queued, never
 * pretending. A primary and a replica of their own, from the embedded-redis binaries.
 */
class WriteBehindDurabilityTests {

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "durable_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	private final EmbeddedRedis primary = EmbeddedRedis.start();

	@AfterEach
	void close() {
		this.probe.release();
		this.contexts.close();
		this.primary.close();
		PriceService.dropTables(this.jdbc, this.table);
	}

	private ConfigurableApplicationContext start(String durability) {
		PriceService.createTables(this.jdbc, this.table);
		return this.contexts.start(WriteBehindApplication.class, Map.of("probe", this.probe, "table", this.table),
				"spring.datasource.url=" + TestPostgres.jdbcUrl(), "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + this.primary.port(), "tiercache.defaults.write-behind.durability=" + durability,
				"tiercache.defaults.write-behind.durability-timeout=1s");
	}

	@Test
	void withDurabilityReplicaACallReturnsOnceTheReplicaHasTheEntryOrWhenNoneConfirmsOnceAFlusherAppliedIt() {
		try (EmbeddedRedis replica = EmbeddedRedis.replicaOf(this.primary.port())) {
			StringRedisTemplate onPrimary = new StringRedisTemplate(TestRedis.connectionFactory("127.0.0.1",
					this.primary.port()));
			await().atMost(Duration.ofSeconds(10)).until(() -> connectedReplicas(onPrimary) == 1);
			ConfigurableApplicationContext context = start("replica");
			this.probe.holdWrites();
			String caller = Thread.currentThread().getName();

			context.getBean(PriceService.class).save(new Price(1, 1, "replicated"));
			StringRedisTemplate onReplica = new StringRedisTemplate(TestRedis.connectionFactory("127.0.0.1",
					replica.port()));
			assertThat(onReplica.keys(this.contexts.prefix + ":wb:pending:*")).as("the replica has the entry").hasSize(1);
			WriteBehindQueues queues = context.getBean(WriteBehindQueues.class);
			assertThat(queues.stats("prices").enqueued()).isEqualTo(1);
			assertThat(queues.stats("prices").synchronousWrites()).isZero();

			replica.stop();
			await().atMost(Duration.ofSeconds(10)).until(() -> connectedReplicas(onPrimary) == 0);
			this.probe.release();
			context.getBean(PriceService.class).save(new Price(2, 1, "not replicated"));
			assertThat(this.jdbc.queryForObject("select amount from " + this.table + " where id = 2", String.class))
				.as("applied before the call returned").isEqualTo("not replicated");
			assertThat(this.probe.threads).as("by a flusher, not on the caller's thread").doesNotContain(caller);
			assertThat(queues.stats("prices").synchronousWrites()).isZero();
		}
	}

	private static int connectedReplicas(StringRedisTemplate redis) {
		Properties replication = redis.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands()
			.info("replication"));
		return Integer.parseInt((replication != null) ? replication.getProperty("connected_slaves", "0") : "0");
	}

	@Test
	void durabilityAofOnARedisWithoutWaitaofRunsEveryCallSynchronously() {
		ConfigurableApplicationContext context = start("aof");
		String caller = Thread.currentThread().getName();
		context.getBean(PriceService.class).save(new Price(3, 1, "direct"));
		assertThat(this.probe.threads).containsExactly(caller);
		assertThat(context.getBean(WriteBehindQueues.class).stats("prices").synchronousWrites()).isEqualTo(1);
	}

}
