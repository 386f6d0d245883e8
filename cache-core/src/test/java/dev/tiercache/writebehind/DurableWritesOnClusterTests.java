package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durable queue writes on a Redis Cluster: {@code WAIT} goes to the primary that ran the script, so a
 * write is confirmed by the replica of its own slot's primary. Sent through the cluster connection, it
 * would reach the connection's default node, which wrote nothing and answers at once with its own
 * replicas: a write whose primary has lost its replica would be confirmed all the same.
 */
class DurableWritesOnClusterTests {

	private static final LuaScript WRITE = LuaScript.of("redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1]");

	private final RedisCluster cluster = RedisCluster.start();

	private final LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory();

	private final DurableWrites writes = new DurableWrites(
			RemoteCommands.blocking(this.connectionFactory, Duration.ofSeconds(5), RedisCircuitBreaker.disabled()),
			Durability.REPLICA, 1, 300);

	@AfterEach
	void close() {
		this.writes.close();
		this.connectionFactory.destroy();
		this.cluster.close();
	}

	@Test
	void aWriteIsConfirmedOnlyByTheReplicaOfItsOwnSlotsPrimary() {
		byte[] onSecond = this.cluster.keyOnPrimary("durable:", 1);
		byte[] onThird = this.cluster.keyOnPrimary("durable:", 2);
		assertThat(write(onSecond).confirmed()).as("confirmed while its primary has its replica").isTrue();

		EmbeddedRedis second = this.cluster.primaries().get(1);
		this.cluster.kill(this.cluster.replicas().get(1).port());
		await("the second primary sees its replica gone").atMost(Duration.ofSeconds(30))
			.until(() -> this.cluster.onNode(second.port(), (redis) -> redis.info("replication"))
				.contains("connected_slaves:0"));

		DurableWrites.Written unreplicated = write(onSecond);
		assertThat(unreplicated.reply()).as("the script ran").isEqualTo(bytes("written"));
		assertThat(unreplicated.confirmed()).as("confirmed after its primary lost its replica").isFalse();
		assertThat(write(onThird).confirmed()).as("a write on another primary, which has its replica").isTrue();
	}

	@Test
	void aWriteSentToAPrimaryThatWasHandedOverFollowsTheRedirectToTheNewOneBeforeTheClientRefreshesItsView() {
		byte[] onFirst = this.cluster.keyOnPrimary("durable:", 0);
		assertThat(write(onFirst).confirmed()).isTrue();
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

	private String replication(int port) {
		return this.cluster.onNode(port, (redis) -> redis.info("replication"));
	}

	private DurableWrites.Written write(byte[] key) {
		return this.writes.eval(WRITE, new byte[][] { key }, new byte[][] { bytes("written") });
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
