package dev.tiercache.benchmarks;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.IntStream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import tools.jackson.databind.json.JsonMapper;

/**
 * A latency comparison that holds up on a noisy shared machine: the subjects take turns, call by
 * call, in one thread, so that whatever else the machine does hits them all alike. JMH measures
 * each subject in its own fork, minutes apart; on a 2-core VM the ratio of two such runs moved
 * between 0.74 and 1.21 with no code change. Each subject makes {@code calls} timed calls after as
 * many untimed warm-up calls.
 */
final class InterleavedLatency {

	/**
	 * One subject's latencies.
	 * @param subject what was measured
	 * @param p50Micros median
	 * @param p99Micros 99th percentile
	 */
	record Latency(String subject, double p50Micros, double p99Micros) {
	}

	private InterleavedLatency() {
	}

	/** L2 hits: {@code @CacheAside} remote mode, raw Lettuce GET + decode, Spring on Redis. */
	static List<Latency> remoteHits(int calls) {
		URI redis = BenchRedis.uri();
		RedisClient client = RedisClient.create(RedisURI.create(redis.getHost(), redis.getPort()));
		try (Subjects subjects = new Subjects();
				StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			String prefix = "bench-interleaved-" + System.nanoTime();
			Subjects.TieredCatalog tiered = subjects.tiered(prefix);
			Subjects.SpringCatalog spring = subjects.springOnRedis(prefix + "-spring");
			RedisCommands<byte[], byte[]> lettuce = connection.sync();
			JsonMapper mapper = JsonMapper.builder().build();
			int keys = 1_000;
			byte[][] rawKeys = new byte[keys][];
			for (int i = 0; i < keys; i++) {
				long id = 3_000_000L + i;
				rawKeys[i] = (prefix + ":raw:" + id).getBytes(StandardCharsets.UTF_8);
				lettuce.psetex(rawKeys[i], 600_000, mapper.writeValueAsBytes(Book.of(id)));
				tiered.remote(id);
				spring.remote(id);
			}
			Map<String, LongFunction<Object>> subjectsByName = new LinkedHashMap<>();
			subjectsByName.put("`@CacheAside` (remote mode)", (i) -> tiered.remote(3_000_000L + i % keys));
			subjectsByName.put("raw Lettuce sync `GET` + Jackson decode",
					(i) -> mapper.readValue(lettuce.get(rawKeys[(int) (i % keys)]), Book.class));
			subjectsByName.put("Spring `@Cacheable` on `RedisCacheManager` (JSON)",
					(i) -> spring.remote(3_000_000L + i % keys));
			return measure(subjectsByName, calls);
		}
		finally {
			client.shutdown();
		}
	}

	/** Misses that load: {@code @CacheAside} versus Spring on Redis, each on keys never used before. */
	static List<Latency> misses(int calls) {
		try (Subjects subjects = new Subjects()) {
			String prefix = "bench-interleaved-miss-" + System.nanoTime();
			Subjects.TieredCatalog tiered = subjects.tiered(prefix);
			Subjects.SpringCatalog spring = subjects.springOnRedis(prefix + "-spring");
			long base = System.nanoTime();
			Map<String, LongFunction<Object>> subjectsByName = new LinkedHashMap<>();
			subjectsByName.put("`@CacheAside` miss", (i) -> tiered.miss(base + i));
			subjectsByName.put("Spring `@Cacheable` on `RedisCacheManager` miss", (i) -> spring.miss(base + i));
			return measure(subjectsByName, calls);
		}
	}

	static List<Latency> measure(Map<String, LongFunction<Object>> subjects, int calls) {
		List<LongFunction<Object>> operations = List.copyOf(subjects.values());
		long[][] latencies = new long[operations.size()][calls];
		for (int i = -calls; i < calls; i++) {
			for (int s = 0; s < operations.size(); s++) {
				long started = System.nanoTime();
				operations.get(s).apply(i + calls);
				long elapsed = System.nanoTime() - started;
				if (i >= 0) {
					latencies[s][i] = elapsed;
				}
			}
		}
		List<String> names = List.copyOf(subjects.keySet());
		return IntStream.range(0, names.size()).mapToObj((s) -> {
			long[] sorted = latencies[s].clone();
			Arrays.sort(sorted);
			return new Latency(names.get(s), micros(sorted[sorted.length / 2]),
					micros(sorted[(int) Math.ceil(sorted.length * 0.99) - 1]));
		}).toList();
	}

	private static double micros(long nanos) {
		return nanos / 1_000.0;
	}

}
