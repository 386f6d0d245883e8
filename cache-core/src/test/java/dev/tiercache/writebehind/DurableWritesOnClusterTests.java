package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.BoundedClose;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Durable queue writes on a Redis Cluster: {@code WAIT} goes to the primary that ran the script, so a
 * write is confirmed by the replica of its own slot's primary. Sent through the cluster connection, it
 * would reach the connection's default node, which wrote nothing and answers at once with its own
 * replicas: a write whose primary has lost its replica would be confirmed all the same.
 */
class DurableWritesOnClusterTests {

	private static final LuaScript WRITE = LuaScript.of("redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1]");

	/** How long a replica may take to catch up with its primary after an earlier test restarted nodes. */
	private static final Duration REPLICA_CAUGHT_UP = Duration.ofSeconds(20);

	private final RedisCluster cluster = RedisCluster.start();

	private final LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory();

	private final DurableWrites writes = new DurableWrites(
			RemoteCommands.blocking(this.connectionFactory, Duration.ofSeconds(5), RedisCircuitBreaker.disabled()),
			Durability.REPLICA, 1, 300);

	@AfterEach
	void close() {
		this.writes.close();
		BoundedClose.run("the cluster's connection factory", this.connectionFactory::destroy);
		this.cluster.close();
	}

	@Test
	void aWriteIsConfirmedOnlyByTheReplicaOfItsOwnSlotsPrimary() {
		byte[] onSecond = this.cluster.keyOnPrimary("durable:", 1);
		byte[] onThird = this.cluster.keyOnPrimary("durable:", 2);
		// the replica may still be resyncing after an earlier test's restart: confirmed once it caught up
		await("confirmed while its primary has its replica").atMost(REPLICA_CAUGHT_UP)
			.until(() -> write(onSecond).confirmed());

		EmbeddedRedis second = this.cluster.primaries().get(1);
		this.cluster.kill(this.cluster.replicas().get(1).port());
		await("the second primary sees its replica gone").atMost(Duration.ofSeconds(30))
			.until(() -> this.cluster.onNode(second.port(), (redis) -> redis.info("replication"))
				.contains("connected_slaves:0"));

		DurableWrites.Written unreplicated = write(onSecond);
		assertThat(unreplicated.reply()).as("the script ran").isEqualTo(bytes("written"));
		assertThat(unreplicated.confirmed()).as("confirmed after its primary lost its replica").isFalse();
		await("a write on another primary, which has its replica").atMost(REPLICA_CAUGHT_UP)
			.until(() -> write(onThird).confirmed());
	}

	@Test
	void aWriteSentToAPrimaryThatWasHandedOverFollowsTheRedirectToTheNewOneBeforeTheClientRefreshesItsView() {
		byte[] onFirst = this.cluster.keyOnPrimary("durable:", 0);
		await("confirmed by the replica").atMost(REPLICA_CAUGHT_UP).until(() -> write(onFirst).confirmed());
		EmbeddedRedis replica = this.cluster.replicas().get(0);
		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		int oldPrimary = this.cluster.primaries().get(0).port();
		await("the replica took its primary's slots over").atMost(Duration.ofSeconds(30))
			.until(() -> replication(replica.port()).contains("role:master")
					&& replication(oldPrimary).contains("master_link_status:up"));

		DurableWrites.Written moved = write(onFirst);
		assertThat(moved.reply()).as("the script ran on the new primary").isEqualTo(bytes("written"));
		assertThat(moved.confirmed()).as("confirmed by the old primary, now its replica").isTrue();
	}

	@Test
	void aWriteWhoseCallerGaveUpWhileItsPrimaryWasDownIsNeverSentWhenThePrimaryReturns() {
		EmbeddedRedis primary = this.cluster.primaries().get(0);
		byte[] given = this.cluster.keyOnPrimary("given-up:", 0);
		byte[] later = this.cluster.keyOnPrimary("later:", 0);
		// the client reconnects 3 s after a loss (by then the restarted primary serves its slots again), and
		// holds commands meanwhile: 30 s before they time out
		ClientResources resources = DefaultClientResources.builder()
			.reconnectDelay(Delay.constant(Duration.ofSeconds(3)))
			.build();
		LettuceConnectionFactory slowReconnects = new LettuceConnectionFactory(
				new RedisClusterConfiguration(
						this.cluster.ports().stream().map((port) -> "127.0.0.1:" + port).toList()),
				LettuceClientConfiguration.builder().clientResources(resources).commandTimeout(Duration.ofSeconds(30))
					.build());
		slowReconnects.afterPropertiesSet();
		slowReconnects.start();
		try (DurableWrites impatient = new DurableWrites(RemoteCommands.blocking(slowReconnects,
				Duration.ofMillis(500), RedisCircuitBreaker.disabled()), Durability.REPLICA, 1, 300)) {
			impatient.connect(Duration.ofSeconds(10));
			// a write before the fault, once the primary's replica acknowledges (it may still be resyncing
			// after an earlier test's restart): the node connection is open, and replication works
			await("a write before the fault, confirmed by the replica").atMost(REPLICA_CAUGHT_UP)
				.until(() -> write(impatient, later).confirmed());
			// the primary stays its slots' primary however long the restart takes
			this.cluster.onNode(this.cluster.replicas().get(0).port(),
					(redis) -> redis.configSet("cluster-replica-no-failover", "yes"));
			this.cluster.kill(primary.port());
			// the first may reach the dead socket before the client notices; the second is held for the reconnect
			for (int attempt = 1; attempt <= 2; attempt++) {
				assertThatExceptionOfType(RemoteCallException.class).as("write %d while its primary is down", attempt)
					.isThrownBy(() -> write(impatient, given));
			}
			this.cluster.restartKilled();
			await("the restarted primary serves its slots").atMost(Duration.ofSeconds(30))
				.until(() -> this.cluster.onNode(primary.port(), RedisCommands::clusterInfo)
					.contains("cluster_state:ok"));
			await("a write through the same node connection, once it reconnected").atMost(Duration.ofSeconds(30))
				.ignoreException(RemoteCallException.class)
				.until(() -> write(impatient, later).reply() != null);
		}
		finally {
			BoundedClose.run("a connection factory that reconnects slowly", slowReconnects::destroy);
			resources.shutdown(0, 2, TimeUnit.SECONDS);
		}
		String stored = this.cluster.onNode(primary.port(),
				(redis) -> redis.get(new String(given, StandardCharsets.UTF_8)));
		assertThat(stored).as("the write the caller gave up on, which the node connection held while it reconnected")
			.isNull();
	}

	private String replication(int port) {
		return this.cluster.onNode(port, (redis) -> redis.info("replication"));
	}

	private DurableWrites.Written write(byte[] key) {
		return write(this.writes, key);
	}

	private static DurableWrites.Written write(DurableWrites writes, byte[] key) {
		return writes.eval(WRITE, new byte[][] { key }, new byte[][] { bytes("written") });
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
