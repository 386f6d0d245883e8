package dev.tiercache.topology;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static dev.tiercache.topology.ClusterInstances.awaitRead;
import static dev.tiercache.topology.ClusterInstances.awaitWritten;
import static dev.tiercache.topology.ClusterInstances.books;
import static dev.tiercache.topology.ClusterInstances.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * L1 coherence through a change of a Redis Cluster's primaries: once a replica is promoted (its primary
 * killed with {@code kill -9}, or handed over with {@code CLUSTER FAILOVER}), each instance tracks the
 * new primary and clears its L1, so that the writes made on it reach every instance's L1. The clients
 * refresh their view of the topology as {@code spring.data.redis.lettuce.cluster.refresh.period=500ms}
 * and {@code adaptive=true} make Spring Boot's do. Each test has a cluster of its own.
 */
class ClusterFailoverCoherenceTests {

	private static final Duration PROMOTION = Duration.ofSeconds(30);

	private static final Duration PROPAGATION = Duration.ofSeconds(10);

	private static final ClusterClientOptions REFRESHING = ClusterClientOptions.builder()
		.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
			.enablePeriodicRefresh(Duration.ofMillis(500))
			.enableAllAdaptiveRefreshTriggers()
			.build())
		.build();

	private RedisCluster cluster;

	private ClusterInstances instances;

	private TieredCache writer;

	private TieredCache reader;

	@BeforeEach
	void start() {
		this.cluster = RedisCluster.start();
		this.instances = new ClusterInstances(this.cluster);
		this.writer = books(tracking());
		this.reader = books(tracking());
		readAll(this.reader, "v1", new AtomicInteger());
	}

	@AfterEach
	void close() throws Exception {
		this.instances.close();
		this.cluster.close();
	}

	@Test
	void theReplicaPromotedAfterItsPrimaryWasKilledIsTracked() {
		this.cluster.kill(this.cluster.primaries().get(0).port());
		awaitPromoted(this.cluster.replicas().get(0));

		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	@Test
	void theReplicaPromotedByAManualFailoverIsTracked() {
		EmbeddedRedis replica = this.cluster.replicas().get(0);
		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		awaitPromoted(replica);

		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	private TieredCacheManager tracking() {
		TieredCacheManager manager = this.instances.start(REFRESHING, PROPAGATION);
		assertThat(manager.coherenceMode()).isEqualTo(CoherenceMode.TRACKING);
		return manager;
	}

	private void awaitPromoted(EmbeddedRedis replica) {
		await("the replica is promoted").atMost(PROMOTION)
			.until(() -> this.cluster.onNode(replica.port(), (redis) -> redis.info("replication"))
				.contains("role:master"));
	}

}
