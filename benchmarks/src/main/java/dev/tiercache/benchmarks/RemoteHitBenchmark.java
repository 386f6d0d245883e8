package dev.tiercache.benchmarks;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import tools.jackson.databind.json.JsonMapper;

/**
 * An L2 hit (no L1): {@code @CacheAside} on a {@code remote}-mode cache, versus a raw Lettuce sync
 * {@code GET} plus a Jackson decode of the same JSON, versus Spring's {@code @Cacheable} on
 * {@code RedisCacheManager} with a typed JSON serializer. One thread; latency sampled, so the
 * results carry p50 and p99. Each subject has its own state (a fork builds only what it measures).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RemoteHitBenchmark {

	static final int KEYS = 1_000;

	static final long FIRST_KEY = 2_000_000L;

	/** Walks 1,000 keys that are all cached. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		int index() {
			int index = this.next;
			this.next = (index + 1 == KEYS) ? 0 : index + 1;
			return index;
		}

	}

	@State(Scope.Benchmark)
	public static class Tiered extends SubjectsState {

		final Long[] keys = new Long[KEYS];

		Subjects.TieredCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.tiered("bench-l2-" + ProcessHandle.current().pid());
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = FIRST_KEY + i;
				this.catalog.remote(this.keys[i]);
			}
		}

	}

	@State(Scope.Benchmark)
	public static class TieredSpring extends SubjectsState {

		final Long[] keys = new Long[KEYS];

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.springOnTiercache("bench-l2-tiered-spring-" + ProcessHandle.current().pid());
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = FIRST_KEY + i;
				this.catalog.remote(this.keys[i]);
			}
		}

	}

	@State(Scope.Benchmark)
	public static class Spring extends SubjectsState {

		final Long[] keys = new Long[KEYS];

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.springOnRedis("bench-l2-spring-" + ProcessHandle.current().pid());
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = FIRST_KEY + i;
				this.catalog.remote(this.keys[i]);
			}
		}

	}

	@State(Scope.Benchmark)
	public static class Lettuce {

		final byte[][] keys = new byte[KEYS][];

		final JsonMapper mapper = JsonMapper.builder().build();

		RedisClient client;

		StatefulRedisConnection<byte[], byte[]> connection;

		RedisCommands<byte[], byte[]> commands;

		@Setup(Level.Trial)
		public void start() {
			URI redis = BenchRedis.uri();
			this.client = RedisClient.create(RedisURI.create(redis.getHost(), redis.getPort()));
			this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
			this.commands = this.connection.sync();
			String prefix = "bench-l2-raw-" + ProcessHandle.current().pid();
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = (prefix + ":" + (FIRST_KEY + i)).getBytes(StandardCharsets.UTF_8);
				this.commands.psetex(this.keys[i], 600_000, this.mapper.writeValueAsBytes(Book.of(FIRST_KEY + i)));
			}
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.connection.close();
			this.client.shutdown();
		}

	}

	@Benchmark
	public Book tieredCacheAsideRemote(Tiered tiered, Cursor cursor) {
		return tiered.catalog.remote(tiered.keys[cursor.index()]);
	}

	@Benchmark
	public Book lettuceGetAndDecode(Lettuce lettuce, Cursor cursor) {
		return lettuce.mapper.readValue(lettuce.commands.get(lettuce.keys[cursor.index()]), Book.class);
	}

	@Benchmark
	public Book tieredSpringCacheableRemote(TieredSpring spring, Cursor cursor) {
		return spring.catalog.remote(spring.keys[cursor.index()]);
	}

	@Benchmark
	public Book springCacheableRedis(Spring spring, Cursor cursor) {
		return spring.catalog.remote(spring.keys[cursor.index()]);
	}

}
