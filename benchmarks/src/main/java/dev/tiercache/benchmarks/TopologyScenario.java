package dev.tiercache.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import dev.tiercache.test.RedisCluster;

/**
 * L2 hits and misses of {@code @CacheAside} on one Redis and on a Redis Cluster (three primaries and
 * three replicas of real {@code redis-server} processes on this machine), measured interleaved call by
 * call so that both see the same noise, and the staleness scenario ({@link StalenessScenario}) on the
 * cluster. The instances on the cluster are configured as the README asks
 * ({@code spring.data.redis.cluster.nodes}, adaptive topology refresh).
 */
final class TopologyScenario {

	/**
	 * What the scenario measured.
	 * @param latencies L2 hit and miss latency on each topology
	 * @param clusterStaleness staleness across two instances on the cluster
	 * @param replicaL1Staleness the same, with the instances reading entries from replicas
	 * ({@code tiercache.redis.read-from=replica})
	 * @param replicaStaleness the same, on a cache without L1 (every read of B goes to a replica): what
	 * reading from replicas adds, the replicas' lag
	 */
	record Outcome(List<InterleavedLatency.Latency> latencies, StalenessScenario.Outcome clusterStaleness,
			StalenessScenario.Outcome replicaL1Staleness, StalenessScenario.Outcome replicaStaleness) {
	}

	static final String HIT_ONE = "L2 hit, one Redis";

	static final String HIT_CLUSTER = "L2 hit, Redis Cluster (3 primaries)";

	static final String MISS_ONE = "miss that loads, one Redis";

	static final String MISS_CLUSTER = "miss that loads, Redis Cluster (3 primaries)";

	private static final int KEYS = 1_000;

	private static final String ADAPTIVE_REFRESH = "spring.data.redis.lettuce.cluster.refresh.adaptive=true";

	private static final String REFRESH_PERIOD = "spring.data.redis.lettuce.cluster.refresh.period=2s";

	private TopologyScenario() {
	}

	static Outcome run(int calls, int stalenessWrites) {
		try (RedisCluster cluster = RedisCluster.start();
				Subjects single = new Subjects();
				Subjects clustered = new Subjects(cluster.springProperty(), ADAPTIVE_REFRESH, REFRESH_PERIOD);
				Subjects replicaReading = new Subjects(cluster.springProperty(), ADAPTIVE_REFRESH, REFRESH_PERIOD,
						"tiercache.redis.read-from=replica")) {
			String prefix = "bench-topology-" + System.nanoTime();
			Subjects.TieredCatalog one = single.tiered(prefix);
			Subjects.TieredCatalog many = clustered.tiered(prefix);
			for (int i = 0; i < KEYS; i++) {
				one.remote(4_000_000L + i);
				many.remote(4_000_000L + i);
			}
			long base = System.nanoTime();
			Map<String, LongFunction<Object>> subjects = new LinkedHashMap<>();
			subjects.put(HIT_ONE, (i) -> one.remote(4_000_000L + i % KEYS));
			subjects.put(HIT_CLUSTER, (i) -> many.remote(4_000_000L + i % KEYS));
			subjects.put(MISS_ONE, (i) -> one.miss(base + i));
			subjects.put(MISS_CLUSTER, (i) -> many.miss(base + i));
			List<InterleavedLatency.Latency> latencies = InterleavedLatency.measure(subjects, calls);
			return new Outcome(latencies, StalenessScenario.run(stalenessWrites, clustered),
					StalenessScenario.run(stalenessWrites, replicaReading, "hot"),
					StalenessScenario.run(stalenessWrites, replicaReading, "remote"));
		}
	}

	/** Runs the scenario alone: {@code java … TopologyScenario [calls]}. */
	public static void main(String[] args) {
		System.out.println(run((args.length > 0) ? Integer.parseInt(args[0]) : 5_000, 1_000));
	}

}
