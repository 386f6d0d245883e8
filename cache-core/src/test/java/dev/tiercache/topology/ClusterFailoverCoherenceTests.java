package dev.tiercache.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
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
 * and {@code adaptive=true} make Spring Boot's do. Over RESP2, where the instances publish their
 * invalidations, the subscriptions follow a manual failover of the channel's primary (sharded pub/sub,
 * on Redis 7+). Each test has a cluster of its own.
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
	}

	private void startTracking() {
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
		startTracking();
		this.cluster.kill(this.cluster.primaries().get(0).port());
		awaitPromoted(this.cluster.replicas().get(0));

		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	@Test
	void theReplicaPromotedByAManualFailoverIsTracked() {
		startTracking();
		EmbeddedRedis replica = this.cluster.replicas().get(0);
		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		awaitPromoted(replica);

		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	@Test
	void overRESP2TheInvalidationsChannelFollowsAManualFailoverOfItsPrimary() {
		ClusterClientOptions resp2 = REFRESHING.mutate().protocolVersion(ProtocolVersion.RESP2).build();
		this.writer = books(this.instances.start(resp2, PROPAGATION));
		this.reader = books(this.instances.start(resp2, PROPAGATION));
		byte[] channel = invalidationsChannel();
		int shard = this.cluster.primaryOf(channel);
		EmbeddedRedis replica = this.cluster.replicas().get(shard);
		await("both instances subscribed").atMost(PROPAGATION)
			.until(() -> subscribers(this.cluster.primaries().get(shard), channel) == 2);

		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		awaitPromoted(replica);

		// with sharded pub/sub (Redis 7+), the subscriptions ended on the old primary, and are made on the new
		await("both instances subscribed on the promoted replica").atMost(PROPAGATION)
			.until(() -> subscribers(replica, channel) == 2);
		readAll(this.reader, "v1", new AtomicInteger());
		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	@Test
	void overRESP2ALostShardSubscriptionClearsL1WhenItIsMadeAgain() {
		ClusterClientOptions resp2 = REFRESHING.mutate().protocolVersion(ProtocolVersion.RESP2).build();
		TieredCacheManager writerManager = this.instances.start(resp2, PROPAGATION);
		TieredCacheManager readerManager = this.instances.start(resp2, PROPAGATION);
		this.writer = books(writerManager);
		this.reader = books(readerManager);
		byte[] channel = invalidationsChannel();
		EmbeddedRedis primary = this.cluster.primaries().get(this.cluster.primaryOf(channel));
		boolean sharded = hasShardedPubSub(primary);
		await("both instances subscribed").atMost(PROPAGATION).until(() -> subscribers(primary, channel) == 2);
		long resynchronized = readerManager.l1Resynchronizations();

		// the connections that carry the subscription (with sharded pub/sub, only the shard's): Lettuce
		// reconnects them and subscribes again
		for (EmbeddedRedis node : sharded ? List.of(primary) : this.cluster.nodes()) {
			this.cluster.onNode(node.port(), (redis) -> redis.clientList())
				.lines()
				.filter((client) -> sharded ? client.contains(" ssub=1 ") && client.contains(" sub=0 ")
						: client.contains(" sub=1 "))
				.map((client) -> Long.parseLong(client.substring(3, client.indexOf(' '))))
				.forEach((id) -> this.cluster.onNode(node.port(),
						(redis) -> redis.clientKill(KillArgs.Builder.id(id))));
		}

		await("the reader clears L1 once subscribed again").atMost(PROPAGATION)
			.until(() -> subscribers(primary, channel) == 2 && readerManager.l1Resynchronizations() > resynchronized);
		readAll(this.reader, "v1", new AtomicInteger());
		awaitWritten(this.writer, "v2", PROPAGATION);
		awaitRead(this.reader, "v2", PROPAGATION);
	}

	/**
	 * How many clients of the node hear the channel: as a shard channel where the node has sharded
	 * pub/sub (Redis 7+), which the instances then use; as a plain channel otherwise (every node relays
	 * those, so every subscriber counts, wherever it is connected).
	 */
	private long subscribers(EmbeddedRedis node, byte[] channel) {
		String name = new String(channel, StandardCharsets.UTF_8);
		if (hasShardedPubSub(node)) {
			return this.cluster.onNode(node.port(), (redis) -> {
				Object counts = redis.dispatch(CommandType.PUBSUB, new ArrayOutput<>(StringCodec.UTF8),
						new CommandArgs<>(StringCodec.UTF8).add("SHARDNUMSUB").add(name));
				return (Long) ((List<?>) counts).get(1);
			});
		}
		return this.cluster.ports()
			.stream()
			.mapToLong((port) -> this.cluster.onNode(port, (redis) -> redis.pubsubNumsub(name).get(name)))
			.sum();
	}

	/** The channel of the instances' published invalidations. */
	private byte[] invalidationsChannel() {
		return (this.instances.prefix() + ":tiercache:invalidations").getBytes(StandardCharsets.UTF_8);
	}

	/** Whether the node has sharded pub/sub: Redis 7+, the machine's own; the jar's 6.2 has none. */
	private boolean hasShardedPubSub(EmbeddedRedis node) {
		return !this.cluster.onNode(node.port(), (redis) -> redis.info("server")).contains("redis_version:6.");
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
