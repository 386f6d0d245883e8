package dev.tiercache.internal.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.BoundedClose;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The breaker's probe on a Redis Cluster ({@link RemoteCommands#ping()}): it passes only while every
 * primary that serves slots answers, and it refreshes the client's view of the topology itself, so that
 * a replica promoted after its primary died is found without the client's own refresh (switched off
 * here, as it is by default outside Spring Boot's properties), and watches the topology after a failed
 * probe, so that the breaker probes again as soon as the replica took over, not after its wait.
 */
class RemoteCommandsOnClusterTests {

	private final RedisCluster cluster = RedisCluster.start();

	private final LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory();

	private final RemoteCommands redis = RemoteCommands.dedicated(this.connectionFactory, Duration.ofMillis(500),
			RedisCircuitBreaker.disabled());

	@AfterEach
	void close() {
		this.redis.close();
		BoundedClose.run("the cluster's connection factory", this.connectionFactory::destroy);
		this.cluster.close();
	}

	@Test
	void theProbeFailsWhileAPrimaryIsDownAndPassesOnceItsReplicaTookItsSlotsOver() {
		// not the cluster connection's default node, which a plain PING reaches
		int index = primaryThatIs(false);
		EmbeddedRedis dead = this.cluster.primaries().get(index);
		EmbeddedRedis replica = this.cluster.replicas().get(index);
		byte[] key = this.cluster.keyOnPrimary("probe:", index);
		this.redis.call((commands) -> commands.set(key, bytes("before")));
		this.redis.ping();

		this.cluster.kill(dead.port());
		assertThatExceptionOfType(RemoteCallException.class).as("the probe while a primary is down")
			.isThrownBy(this.redis::ping);
		assertThat(replication(replica.port())).as("still a replica after the failed probe").contains("role:slave");

		await("the replica is promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
			.until(() -> replication(replica.port()).contains("role:master"));
		long promoted = System.nanoTime();
		await("the probe passes").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
			.ignoreExceptions()
			.untilAsserted(this.redis::ping);
		System.out.printf("probe passed %d ms after the promotion%n", (System.nanoTime() - promoted) / 1_000_000);
		assertThat(this.redis.<byte[]>call((commands) -> commands.get(key))).as("read from the promoted replica")
			.isEqualTo(bytes("before"));
	}

	@Test
	void afterAFailedProbeTheBreakerProbesAgainAsSoonAsAReplicaTookTheFailedPrimarysSlots() {
		RedisCircuitBreaker breaker = new RedisCircuitBreaker(
				RedisCircuitBreaker.defaults().waitDurationInOpenState(Duration.ofMinutes(5)).build());
		try (RemoteCommands commands = RemoteCommands.dedicated(this.connectionFactory, Duration.ofMillis(500),
				breaker)) {
			commands.ping();
			// the default node if it is a primary: the watch goes on when the cluster connection's own link is down
			int index = primaryThatIs(true);
			this.cluster.kill(this.cluster.primaries().get(index).port());
			for (int call = 0; call < 10; call++) {
				breaker.failed(0, new IllegalStateException("the primary is gone"));
			}
			assertThat(breaker.admits()).as("open, with a wait of 5 minutes before its probe").isFalse();
			// one probe, which fails: the topology is watched from then on
			breaker.probeNow();

			await("the breaker closes once the replica is promoted").atMost(Duration.ofSeconds(60))
				.until(breaker::admits);
			assertThat(replication(this.cluster.replicas().get(index).port())).contains("role:master");
		}
		finally {
			breaker.close();
		}
	}

	/**
	 * A primary that is (or is not) the default node, where the cluster connection sends node-less
	 * commands ({@code PING}); the first primary if none is (the default node is a replica).
	 */
	private int primaryThatIs(boolean theDefaultNode) {
		String defaultNode = this.redis.call((commands) -> commands.clusterMyId());
		for (int index = 0; index < this.cluster.primaries().size(); index++) {
			int port = this.cluster.primaries().get(index).port();
			if (this.cluster.onNode(port, (node) -> node.clusterMyId()).equals(defaultNode) == theDefaultNode) {
				return index;
			}
		}
		return 0;
	}

	private String replication(int port) {
		return this.cluster.onNode(port, (node) -> node.info("replication"));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
