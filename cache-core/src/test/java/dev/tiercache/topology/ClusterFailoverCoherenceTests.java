package dev.tiercache.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

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

	private static final CacheSettings LONG_LIVED_L1 = CacheSettings.DEFAULTS.withLocalTtl(Duration.ofMinutes(5));

	private static final Duration PROMOTION = Duration.ofSeconds(30);

	private static final Duration PROPAGATION = Duration.ofSeconds(10);

	private static final int KEYS = 60;

	private static final ClusterClientOptions REFRESHING = ClusterClientOptions.builder()
		.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
			.enablePeriodicRefresh(Duration.ofMillis(500))
			.enableAllAdaptiveRefreshTriggers()
			.build())
		.build();

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> opened = new ArrayList<>();

	private RedisCluster cluster;

	@BeforeEach
	void start() {
		this.cluster = RedisCluster.start();
		this.opened.add(this.cluster);
	}

	@AfterEach
	void close() throws Exception {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	@Test
	void theReplicaPromotedAfterItsPrimaryWasKilledIsTracked() {
		TieredCache writer = books(instance());
		TieredCache reader = books(instance());
		readAll(reader, "v1");
		EmbeddedRedis primary = this.cluster.primaries().get(0);
		EmbeddedRedis replica = this.cluster.replicas().get(0);

		this.cluster.kill(primary.port());
		awaitPromoted(replica);

		awaitWritten(writer, "v2");
		awaitRead(reader, "v2");
	}

	@Test
	void theReplicaPromotedByAManualFailoverIsTracked() {
		TieredCache writer = books(instance());
		TieredCache reader = books(instance());
		readAll(reader, "v1");
		EmbeddedRedis replica = this.cluster.replicas().get(0);

		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		awaitPromoted(replica);

		awaitWritten(writer, "v2");
		awaitRead(reader, "v2");
	}

	private void awaitPromoted(EmbeddedRedis replica) {
		await("the replica is promoted").atMost(PROMOTION)
			.until(() -> this.cluster.onNode(replica.port(), (redis) -> redis.info("replication"))
				.contains("role:master"));
	}

	/** Puts every key until Redis took each put (the writer's client may still route to the old primary). */
	private static void awaitWritten(TieredCache writer, String version) {
		await("the writer's puts reach Redis").atMost(PROPAGATION).untilAsserted(() -> {
			long errors = writer.stats().remoteErrors();
			IntStream.range(0, KEYS).forEach((id) -> writer.put(id, version + "-" + id));
			assertThat(writer.stats().remoteErrors()).as("Redis errors while putting").isEqualTo(errors);
		});
	}

	private static void awaitRead(TieredCache reader, String version) {
		await("the reader's L1 follows every write").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id)
					.isEqualTo(version + "-" + id)));
	}

	private static void readAll(TieredCache cache, String version) {
		IntStream.range(0, KEYS)
			.forEach((id) -> assertThat(cache.get(id, () -> version + "-" + id)).isEqualTo(version + "-" + id));
	}

	private static TieredCache books(TieredCacheManager manager) {
		return manager.getTieredCache("books");
	}

	private TieredCacheManager instance() {
		LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory(REFRESHING);
		this.opened.add(connectionFactory::destroy);
		TieredCacheManager manager = TieredCacheManager.builder(connectionFactory)
			.keyPrefix(this.prefix)
			.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
			.dynamic(false)
			.cache("books", LONG_LIVED_L1)
			.build();
		manager.afterPropertiesSet();
		manager.start();
		this.opened.add(manager::destroy);
		await("tracking").atMost(PROPAGATION).until(() -> manager.coherenceMode() == CoherenceMode.TRACKING);
		return manager;
	}

}
