package dev.tiercache.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.test.BoundedClose;
import dev.tiercache.test.RedisCluster;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances of one application on a {@link RedisCluster}: each a started manager, on a connection
 * factory of its own, with one cache {@code books} whose L1 keeps entries for minutes (so that a
 * stale L1 would show), and the reads and writes of {@link #KEYS} keys the topology tests make.
 * Closes what it started.
 */
final class ClusterInstances implements AutoCloseable {

	/** How many keys the tests read and write: enough to reach every primary's slots. */
	static final int KEYS = 60;

	private static final CacheSettings LONG_LIVED_L1 = CacheSettings.DEFAULTS.withLocalTtl(Duration.ofMinutes(5));

	private final RedisCluster cluster;

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> opened = new ArrayList<>();

	ClusterInstances(RedisCluster cluster) {
		this.cluster = cluster;
	}

	/** The application's key prefix. */
	String prefix() {
		return this.prefix;
	}

	/**
	 * Starts an instance and waits until it set its connection up (its coherence mode is known).
	 * @param options the client's options, as Spring Boot's properties would set them
	 */
	TieredCacheManager start(@Nullable ClientOptions options, Duration within) {
		return start(options, null, within);
	}

	/**
	 * Starts an instance as {@link #start(ClientOptions, Duration)} does, reading entries' values where
	 * {@code readFrom} says.
	 */
	TieredCacheManager start(@Nullable ClientOptions options, @Nullable ReadFrom readFrom, Duration within) {
		LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory(options);
		this.opened.add(() -> BoundedClose.run("an instance's connection factory", connectionFactory::destroy));
		TieredCacheManager manager = TieredCacheManager.builder(connectionFactory)
			.keyPrefix(this.prefix)
			.readFrom(readFrom)
			.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
			.dynamic(false)
			.cache("books", LONG_LIVED_L1)
			.build();
		manager.afterPropertiesSet();
		manager.start();
		this.opened.add(manager::destroy);
		await("connected").atMost(within).until(() -> manager.coherenceMode() != null);
		return manager;
	}

	static TieredCache books(TieredCacheManager manager) {
		return manager.getTieredCache("books");
	}

	/** Reads every key through the cache, loading {@code <version>-<key>} on a miss. */
	static void readAll(TieredCache cache, String version, AtomicInteger loads) {
		IntStream.range(0, KEYS).forEach((id) -> assertThat(cache.get(id, () -> {
			loads.incrementAndGet();
			return version + "-" + id;
		})).isNotNull());
	}

	/** Puts every key until Redis took each put (the writer's connections may still be coming back). */
	static void awaitWritten(TieredCache writer, String version, Duration within) {
		await("the writer's puts reach Redis").atMost(within).untilAsserted(() -> {
			long errors = writer.stats().remoteErrors();
			IntStream.range(0, KEYS).forEach((id) -> writer.put(id, version + "-" + id));
			assertThat(writer.stats().remoteErrors()).as("Redis errors while putting").isEqualTo(errors);
		});
	}

	/** Waits until the reader reads {@code <version>-<key>} for every key. */
	static void awaitRead(TieredCache reader, String version, Duration within) {
		await("the reader's L1 follows every write").atMost(within)
			.untilAsserted(() -> IntStream.range(0, KEYS)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id)
					.isEqualTo(version + "-" + id)));
	}

	@Override
	public void close() throws Exception {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
		this.opened.clear();
	}

}
