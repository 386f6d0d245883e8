package dev.tiercache.consistency.harness;

/** The Redis a run's instances share, as the option {@code --topology} names it. */
public enum Topology {

	/**
	 * One Redis server of the run's own, persisting every write to its append-only file, with each
	 * instance behind a TCP proxy of its own (so that one instance can be cut off).
	 */
	REDIS,

	/**
	 * A primary, its replica and three sentinels ({@code RedisSentinelGroup}), which the instances reach
	 * through Spring Boot's {@code spring.data.redis.sentinel.*} properties; the nemesis fails the primary
	 * over. Write-behind calls wait for the replica ({@code durability: replica}), so that a failover loses
	 * none that was acknowledged.
	 */
	SENTINEL,

	/**
	 * A Redis Cluster of three primaries with a replica each ({@code RedisCluster}), which the instances
	 * reach through {@code spring.data.redis.cluster.nodes}, refreshing their view of it adaptively and
	 * every 500 ms; the nemesis fails primaries over. Write-behind calls wait for the replica, as on
	 * {@link #SENTINEL}.
	 */
	CLUSTER

}
