package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;
import dev.tiercache.writebehind.UnsafeEvictionPolicyException;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code @WriteBehind} and Redis's eviction policy (issue 16, item 8): under {@code allkeys-*} with a
 * {@code maxmemory}, Redis may evict queue entries, acknowledged writes; the application does not start,
 * and one that finds Redis so configured after a reconnection refuses calls until it no longer is.
 * {@code volatile-*} evicts only keys with a TTL, which queues do not have. Each test runs a Redis of its
 * own (the embedded binaries), configured as the test needs: the shared one is never reconfigured.
 */
@ExtendWith(OutputCaptureExtension.class)
class WriteBehindEvictionPolicyTest {

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "evict_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	private EmbeddedRedis redis;

	private LettuceConnectionFactory redisConnections;

	@AfterEach
	void close() {
		this.contexts.close();
		if (this.redisConnections != null) {
			this.redisConnections.destroy();
		}
		if (this.redis != null) {
			this.redis.close();
		}
		PriceService.dropTables(this.jdbc, this.table);
	}

	private ConfigurableApplicationContext start(String... redisSettings) {
		this.redis = EmbeddedRedis.withSettings(redisSettings);
		this.redisConnections = TestRedis.connectionFactory("127.0.0.1", this.redis.port());
		PriceService.createTables(this.jdbc, this.table);
		return this.contexts.start(WriteBehindApplication.class, Map.of("probe", this.probe, "table", this.table),
				"spring.datasource.url=" + TestPostgres.jdbcUrl(), "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + this.redis.port());
	}

	@Test
	void startUpFailsNamingMaxmemoryPolicyWhenRedisMayEvictTheQueues(CapturedOutput output) {
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> start("maxmemory 64mb",
				"maxmemory-policy allkeys-lru"))
			.havingRootCause()
			.isInstanceOfSatisfying(UnsafeEvictionPolicyException.class,
					(ex) -> assertThat(ex.getPolicy()).isEqualTo("allkeys-lru"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("its 'maxmemory-policy' is 'allkeys-lru' and its 'maxmemory' 67108864 bytes")
			.contains("write-behind queue entries of caches 'prices', 'stock'")
			.contains("Set 'maxmemory-policy' to 'noeviction' on the Redis server");
	}

	@Test
	void underAVolatilePolicyCallsAreQueued() {
		ConfigurableApplicationContext context = start("maxmemory 64mb", "maxmemory-policy volatile-lru");
		context.getBean(PriceService.class).save(new Price(1, 1, "queued"));
		WriteBehindQueues queues = context.getBean(WriteBehindQueues.class);
		assertThat(queues.stats("prices").enqueued()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).until(() -> appliedRows() == 1);
	}

	@Test
	void aRedisFoundEvictingAfterAReconnectionRefusesCallsUntilItNoLongerDoes(CapturedOutput output) throws Exception {
		ConfigurableApplicationContext context = start();
		PriceService service = context.getBean(PriceService.class);
		service.save(new Price(1, 1, "queued"));
		await().atMost(Duration.ofSeconds(10)).until(() -> appliedRows() == 1);

		configure("maxmemory", "64mb");
		configure("maxmemory-policy", "allkeys-lru");
		killClients();
		// the policy is read again once the application has reconnected: awaited without a call, since a
		// call made before that read is queued
		WriteBehindQueues queues = context.getBean(WriteBehindQueues.class);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThatExceptionOfType(
				UnsafeEvictionPolicyException.class)
			.isThrownBy(queues::requireQueueing)
			.withMessageContaining("'maxmemory-policy' is 'allkeys-lru'"));
		assertThat(output).contains("ERROR").contains("Tiercache stopped queueing @WriteBehind calls");
		assertThatExceptionOfType(UnsafeEvictionPolicyException.class)
			.isThrownBy(() -> service.save(new Price(2, 1, "refused")));
		TransactionTemplate transaction = context.getBean(TransactionTemplate.class);
		assertThatExceptionOfType(UnsafeEvictionPolicyException.class).as("refused at the call, not at commit")
			.isThrownBy(() -> transaction.executeWithoutResult((status) -> service.save(new Price(3, 1, "refused"))));
		assertThat(queues.stats("prices").enqueued()).as("nothing queued").isEqualTo(1);
		assertThat(this.probe.calls).as("nor run").hasValue(1);

		configure("maxmemory-policy", "noeviction");
		killClients();
		await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(UnsafeEvictionPolicyException.class)
			.until(() -> {
				service.save(new Price(4, 1, "queued again"));
				return true;
			});
		assertThat(output).contains("Tiercache queues @WriteBehind calls again");
		await().atMost(Duration.ofSeconds(10)).until(() -> appliedRows() == 2);
	}

	@Test
	void whereRedisRefusesInfoAWarningSaysWhatToCheckAndCallsAreQueued(CapturedOutput output) {
		ConfigurableApplicationContext context = start("rename-command INFO \"\"");
		context.getBean(PriceService.class).save(new Price(1, 1, "queued"));
		assertThat(context.getBean(WriteBehindQueues.class).stats("prices").enqueued()).isEqualTo(1);
		assertThat(output).contains("Tiercache cannot read Redis's 'maxmemory-policy' (INFO memory was refused")
			.contains("Make sure it is 'noeviction' or a 'volatile-*' policy");
		await().atMost(Duration.ofSeconds(10)).until(() -> appliedRows() == 1);
	}

	private long appliedRows() {
		Long count = this.jdbc.queryForObject("select count(*) from " + this.table + "_log", Long.class);
		return (count != null) ? count : 0;
	}

	private void configure(String setting, String value) {
		new StringRedisTemplate(this.redisConnections).execute((RedisCallback<Void>) (connection) -> {
			connection.serverCommands().setConfig(setting, value);
			return null;
		});
	}

	/** Closes every client connection of the test's Redis but the test's own: the application reconnects. */
	@SuppressWarnings("unchecked")
	private void killClients() throws Exception {
		try (RedisConnection connection = this.redisConnections.getConnection()) {
			((RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection())
				.clientKill(KillArgs.Builder.typeNormal().skipme()).get(5, TimeUnit.SECONDS);
		}
	}

}
