package dev.tiercache.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.protocol.ProtocolVersion;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
 * L1 coherence on a Redis Cluster ({@link RedisCluster}: three primaries, each with a replica): two
 * instances of one application, each with its L1 kept for minutes, see each other's writes and deletes,
 * and changes made outside Tiercache, on keys of every primary, within seconds; also after every
 * primary dropped the instances' connections. Without tracking on each primary, the reader's L1 would
 * serve the old values until {@code local.ttl}.
 */
class ClusterCoherenceTests {

	private static final CacheSettings LONG_LIVED_L1 = CacheSettings.DEFAULTS.withLocalTtl(Duration.ofMinutes(5));

	private static final Duration PROPAGATION = Duration.ofSeconds(5);

	private static final int KEYS = 60;

	private static RedisCluster cluster;

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> opened = new ArrayList<>();

	@BeforeAll
	static void start() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stop() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@AfterEach
	void close() throws Exception {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	@Test
	void eachInstanceTracksEveryPrimaryAndSeesTheOthersWritesAndDeletes() {
		TieredCache writer = books(instance(null));
		TieredCacheManager readerManager = instance(null);
		TieredCache reader = books(readerManager);
		AtomicInteger loads = new AtomicInteger();
		readAll(reader, "v1", loads);
		assertThat(loads).as("loads of the keys, once each").hasValue(KEYS);
		assertThat(primariesHoldingKeys()).as("primaries holding the cache's keys").hasSize(3);
		assertThat(readerManager.coherenceMode()).isEqualTo(CoherenceMode.TRACKING);

		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v2-" + id));
		await("the reader's L1 follows every write").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).isEqualTo("v2-" + id)));

		IntStream.range(0, KEYS).forEach(writer::evict);
		await("the reader's L1 follows every delete").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isNull()));
		assertThat(readerManager.invalidationsReceived()).isGreaterThanOrEqualTo(2L * KEYS);
	}

	@Test
	void aChangeMadeOutsideTiercacheOnAnyPrimaryReachesL1() {
		TieredCache reader = books(instance(null));
		AtomicInteger loads = new AtomicInteger();
		readAll(reader, "v1", loads);

		for (EmbeddedRedis primary : cluster.primaries()) {
			cluster.onNode(primary.port(), (redis) -> {
				List<String> keys = redis.keys(this.prefix + ":*");
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
		TieredCache writer = books(instance(null));
		TieredCache reader = books(instance(null));
		readAll(reader, "v1", new AtomicInteger());

		for (EmbeddedRedis primary : cluster.primaries()) {
			cluster.onNode(primary.port(), (redis) -> redis.clientKill(KillArgs.Builder.typeNormal()));
		}
		IntStream.range(0, KEYS).forEach((id) -> reader.get(id, String.class));
		awaitWritten(writer, "v2");
		await("the reader's L1 follows every write made after the reconnection").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).isEqualTo("v2-" + id)));
	}

	@Test
	void overRESP2TheInstancesPublishTheirChanges() {
		ClientOptions resp2 = ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build();
		TieredCache writer = books(instance(resp2));
		TieredCacheManager readerManager = instance(resp2);
		TieredCache reader = books(readerManager);
		readAll(reader, "v1", new AtomicInteger());
		assertThat(readerManager.coherenceMode()).isEqualTo(CoherenceMode.PUBSUB);

		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v2-" + id));
		await("the reader's L1 follows every write").atMost(PROPAGATION)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).isEqualTo("v2-" + id)));
	}

	/** Puts every key until Redis took the puts (the connections may still be coming back). */
	private static void awaitWritten(TieredCache writer, String version) {
		await("the writer's puts reach Redis").atMost(PROPAGATION).untilAsserted(() -> {
			long errors = writer.stats().remoteErrors();
			IntStream.range(0, KEYS).forEach((id) -> writer.put(id, version + "-" + id));
			assertThat(writer.stats().remoteErrors()).as("Redis errors while putting").isEqualTo(errors);
		});
	}

	private static void readAll(TieredCache cache, String version, AtomicInteger loads) {
		for (int id = 0; id < KEYS; id++) {
			int key = id;
			assertThat(cache.get(key, () -> {
				loads.incrementAndGet();
				return version + "-" + key;
			})).isNotNull();
		}
	}

	private Set<Integer> primariesHoldingKeys() {
		Set<Integer> holding = new HashSet<>();
		for (EmbeddedRedis primary : cluster.primaries()) {
			if (!cluster.onNode(primary.port(), (redis) -> redis.keys(this.prefix + ":{books:*")).isEmpty()) {
				holding.add(primary.port());
			}
		}
		return holding;
	}

	private static TieredCache books(TieredCacheManager manager) {
		return manager.getTieredCache("books");
	}

	/** An instance of the application on the cluster, connected and tracking (or publishing). */
	private TieredCacheManager instance(@Nullable ClientOptions options) {
		LettuceConnectionFactory connectionFactory = cluster.connectionFactory(options);
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
		await("connected").atMost(PROPAGATION).until(() -> manager.coherenceMode() != null);
		return manager;
	}

}
