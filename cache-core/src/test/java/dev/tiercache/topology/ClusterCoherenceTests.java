package dev.tiercache.topology;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.test.CommandStats;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static dev.tiercache.topology.ClusterInstances.KEYS;
import static dev.tiercache.topology.ClusterInstances.awaitRead;
import static dev.tiercache.topology.ClusterInstances.awaitWritten;
import static dev.tiercache.topology.ClusterInstances.books;
import static dev.tiercache.topology.ClusterInstances.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * L1 coherence on a Redis Cluster ({@link RedisCluster}: three primaries, each with a replica): two
 * instances of one application, each with its L1 kept for minutes, see each other's writes and deletes,
 * and changes made outside Tiercache, on keys of every primary, within seconds; also after every
 * primary dropped the instances' connections. Without tracking on each primary, the reader's L1 would
 * serve the old values until {@code local.ttl}.
 */
class ClusterCoherenceTests {

	private static final Duration PROPAGATION = Duration.ofSeconds(5);

	private static RedisCluster cluster;

	private ClusterInstances instances;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@BeforeEach
	void startInstances() {
		this.instances = new ClusterInstances(cluster);
	}

	@AfterEach
	void closeInstances() throws Exception {
		this.instances.close();
	}

	@Test
	void eachInstanceTracksEveryPrimaryAndSeesTheOthersWritesAndDeletes() {
		TieredCache writer = books(this.instances.start(null, PROPAGATION));
		TieredCacheManager readerManager = this.instances.start(null, PROPAGATION);
		TieredCache reader = books(readerManager);
		AtomicInteger loads = new AtomicInteger();
		readAll(reader, "v1", loads);
		assertThat(loads).as("loads of the keys, once each").hasValue(KEYS);
		assertThat(primariesHoldingKeys()).as("primaries holding the cache's keys").hasSize(3);
		assertThat(readerManager.coherenceMode()).isEqualTo(CoherenceMode.TRACKING);

		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v2-" + id));
		awaitRead(reader, "v2", PROPAGATION);

		IntStream.range(0, KEYS).forEach(writer::evict);
		await("the reader's L1 follows every delete").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isNull()));
		assertThat(readerManager.invalidationsReceived()).isGreaterThanOrEqualTo(2L * KEYS);
	}

	@Test
	void aChangeMadeOutsideTiercacheOnAnyPrimaryReachesL1() {
		TieredCache reader = books(this.instances.start(null, PROPAGATION));
		AtomicInteger loads = new AtomicInteger();
		readAll(reader, "v1", loads);

		for (EmbeddedRedis primary : cluster.primaries()) {
			cluster.onNode(primary.port(), (redis) -> {
				List<String> keys = redis.keys(this.instances.prefix() + ":*");
				keys.forEach(redis::del);
				return keys.size();
			});
		}
		await("the reader loads every key again").atMost(PROPAGATION).untilAsserted(() -> {
			readAll(reader, "v2", loads);
			assertThat(loads).hasValue(2 * KEYS);
		});
	}

	@Test
	void trackingIsOnAgainOnceEveryPrimaryDroppedTheConnections() {
		TieredCache writer = books(this.instances.start(null, PROPAGATION));
		TieredCache reader = books(this.instances.start(null, PROPAGATION));
		readAll(reader, "v1", new AtomicInteger());

		for (EmbeddedRedis primary : cluster.primaries()) {
			cluster.onNode(primary.port(), (redis) -> redis.clientKill(KillArgs.Builder.typeNormal()));
		}
		IntStream.range(0, KEYS).forEach((id) -> reader.get(id, String.class));
		awaitWritten(writer, "v2", PROPAGATION);
		awaitRead(reader, "v2", PROPAGATION);
	}

	/**
	 * Tags on a cluster: the tag and the cache's tag clock share the cache's slot, the entries are spread
	 * over every primary, and the reader learns of the invalidation from the tag key's primary.
	 */
	@Test
	void aTagInvalidatedOnOneInstanceDropsItsEntriesFromEveryPrimaryOnEveryInstance() {
		TieredCache writer = books(this.instances.start(null, PROPAGATION));
		TieredCache reader = books(this.instances.start(null, PROPAGATION));
		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v1-" + id, (id % 2 == 0) ? "even" : "odd", "all"));
		awaitRead(reader, "v1", PROPAGATION);
		assertThat(primariesHoldingKeys()).as("primaries holding the cache's keys").hasSize(3);

		writer.invalidateTag("even");
		IntStream.range(0, KEYS).filter((id) -> id % 2 == 0)
			.forEach((id) -> assertThat(writer.get(id, String.class)).as("key %d on the writer", id).isNull());
		await("the reader's L1 follows the tag").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id)
					.isEqualTo((id % 2 == 0) ? null : "v1-" + id)));
	}

	@Test
	void overRESP2TheInstancesPublishTheirChanges() {
		ClientOptions resp2 = ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build();
		TieredCache writer = books(this.instances.start(resp2, PROPAGATION));
		TieredCacheManager readerManager = this.instances.start(resp2, PROPAGATION);
		TieredCache reader = books(readerManager);
		readAll(reader, "v1", new AtomicInteger());
		assertThat(readerManager.coherenceMode()).isEqualTo(CoherenceMode.PUBSUB);

		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v2-" + id));
		awaitRead(reader, "v2", PROPAGATION);
	}

	@Test
	void readingFromReplicasEveryPrimarysReplicaServesTheEntriesOfItsSlots() {
		TieredCache writer = books(this.instances.start(null, PROPAGATION));
		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v1-" + id));
		String pattern = this.instances.prefix() + ":{books:*";
		await("the replicas hold every entry").atMost(PROPAGATION)
			.until(() -> cluster.replicas()
				.stream()
				.mapToInt((replica) -> cluster.onNode(replica.port(), (redis) -> redis.keys(pattern)).size())
				.sum() == KEYS);
		TieredCache reader = books(this.instances.start(null, ReadFrom.REPLICA, PROPAGATION));
		// its start cleared L1 (changes may have been missed before), so for a while it reads the primaries
		await("the reader reads from replicas").atMost(PROPAGATION).until(() -> {
			long before = replicaGets().values().stream().mapToLong(Long::longValue).sum();
			reader.get("absent", String.class);
			return replicaGets().values().stream().mapToLong(Long::longValue).sum() > before;
		});
		Map<Integer, Long> before = replicaGets();

		IntStream.range(0, KEYS)
			.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isEqualTo("v1-" + id));

		Map<Integer, Long> after = replicaGets();
		assertThat(after.keySet()).allSatisfy((port) -> assertThat(after.get(port)).as("GETs on replica %d", port)
			.isGreaterThan(before.get(port)));
		assertThat(after.values().stream().mapToLong(Long::longValue).sum()
				- before.values().stream().mapToLong(Long::longValue).sum())
			.as("GETs the replicas served")
			.isEqualTo(KEYS);
	}

	/** How many GETs each replica served, by port. */
	private static Map<Integer, Long> replicaGets() {
		Map<Integer, Long> gets = new TreeMap<>();
		for (EmbeddedRedis replica : cluster.replicas()) {
			gets.put(replica.port(),
					CommandStats.calls(cluster.onNode(replica.port(), (redis) -> redis.info("commandstats")), "get"));
		}
		return gets;
	}

	private Set<Integer> primariesHoldingKeys() {
		Set<Integer> holding = new HashSet<>();
		for (EmbeddedRedis primary : cluster.primaries()) {
			String pattern = this.instances.prefix() + ":{books:*";
			if (!cluster.onNode(primary.port(), (redis) -> redis.keys(pattern)).isEmpty()) {
				holding.add(primary.port());
			}
		}
		return holding;
	}

}
