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
 * results carry p50 and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RemoteHitBenchmark {

	static final int KEYS = 1_000;

	private final Long[] keys = new Long[KEYS];

	private final byte[][] rawKeys = new byte[KEYS][];

	private int next;

	private Subjects subjects;

	private Subjects.TieredCatalog tiered;

	private Subjects.SpringCatalog spring;

	private RedisClient client;

	private StatefulRedisConnection<byte[], byte[]> connection;

	private RedisCommands<byte[], byte[]> lettuce;

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Setup(Level.Trial)
	public void start() {
		String prefix = "bench-l2-" + ProcessHandle.current().pid();
		URI redis = BenchRedis.uri();
		this.client = RedisClient.create(RedisURI.create(redis.getHost(), redis.getPort()));
		this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
		this.lettuce = this.connection.sync();
		this.subjects = new Subjects();
		this.tiered = this.subjects.tiered(prefix);
		this.spring = this.subjects.springOnRedis(prefix + "-spring");
		for (int i = 0; i < KEYS; i++) {
			Long key = 2_000_000L + i;
			this.keys[i] = key;
			this.rawKeys[i] = (prefix + ":raw:" + key).getBytes(StandardCharsets.UTF_8);
			this.lettuce.set(this.rawKeys[i], this.mapper.writeValueAsBytes(Book.of(key)));
			this.tiered.remote(key);
			this.spring.remote(key);
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.subjects.close();
		this.connection.close();
		this.client.shutdown();
	}

	private int index() {
		int index = this.next;
		this.next = (index + 1 == KEYS) ? 0 : index + 1;
		return index;
	}

	@Benchmark
	public Book tieredCacheAsideRemote() {
		return this.tiered.remote(this.keys[index()]);
	}

	@Benchmark
	public Book lettuceGetAndDecode() {
		return this.mapper.readValue(this.lettuce.get(this.rawKeys[index()]), Book.class);
	}

	@Benchmark
	public Book springCacheableRedis() {
		return this.spring.remote(this.keys[index()]);
	}

}
