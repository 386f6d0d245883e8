package dev.tiercache.consistency.harness;

import java.util.List;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;

/**
 * The run's Redis on {@link Topology#CLUSTER}: three primaries with a replica each. Each fault fails over
 * one of the current primaries, taken in turn by the count of faults.
 */
final class ClusterRedis implements ReplicatedRedis {

	/** How long a failover, and the cluster's return to a primary and a linked replica per slot range, may take. */
	private final RedisCluster cluster = RedisCluster.start();

	/** Counts the faults, to pick the primary each one fails over. */
	private int faults;

	@Override
	public List<String> springProperties() {
		return List.of(this.cluster.springProperty(), "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
				"spring.data.redis.lettuce.cluster.refresh.period=500ms");
	}

	@Override
	public String describe() {
		return "a Redis Cluster of three primaries with a replica each (the embedded-redis jar's redis-server)";
	}

	/** {@code CLUSTER FAILOVER} on a primary's replica, then waits until the cluster is whole again. */
	@Override
	public void failover() {
		EmbeddedRedis primary = nextPrimary();
		EmbeddedRedis replica = replicaOf(primary);
		this.cluster.onNode(replica.port(), (redis) -> redis.clusterFailover(false));
		awaitReformed(primary, replica);
	}

	/**
	 * Kills a primary ({@code SIGKILL}), waits until the cluster promoted its replica, starts it
	 * again (it rejoins with its {@code nodes.conf}) and waits until it is the new primary's linked replica.
	 * @return {@code false}: the cluster never hands a slot back to a node of an older configuration epoch
	 */
	@Override
	public boolean killPrimary() {
		EmbeddedRedis primary = nextPrimary();
		EmbeddedRedis replica = replicaOf(primary);
		primary.kill();
		Sleeper.until("the cluster promotes the replica of the killed primary", REFORMING,
				() -> "master".equals(role(replica)));
		primary.startAfterKill();
		awaitReformed(primary, replica);
		return false;
	}

	private EmbeddedRedis nextPrimary() {
		List<EmbeddedRedis> primaries = this.cluster.nodes()
			.stream()
			.filter((node) -> "master".equals(role(node)))
			.toList();
		return primaries.get(this.faults++ % primaries.size());
	}

	private EmbeddedRedis replicaOf(EmbeddedRedis primary) {
		return this.cluster.nodes().stream()
			.filter((node) -> info(node).contains("master_port:" + primary.port() + "\r\n"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No replica of the primary on port " + primary.port()));
	}

	private void awaitReformed(EmbeddedRedis oldPrimary, EmbeddedRedis newPrimary) {
		Sleeper.until("the replica is the primary", REFORMING, () -> "master".equals(role(newPrimary)));
		Sleeper.until("the old primary is the new one's replica, its link up", REFORMING, () -> {
			String replication = info(oldPrimary);
			return replication.contains("master_port:" + newPrimary.port() + "\r\n")
					&& replication.contains("master_link_status:up");
		});
		Sleeper.until("every node sees the cluster whole", REFORMING, () -> this.cluster.nodes().stream()
			.allMatch((node) -> this.cluster.onNode(node.port(), (redis) -> redis.clusterInfo())
				.contains("cluster_state:ok")));
	}

	private String role(EmbeddedRedis node) {
		String replication = info(node);
		int at = replication.indexOf("role:");
		return replication.substring(at + 5, replication.indexOf('\r', at));
	}

	private String info(EmbeddedRedis node) {
		return this.cluster.onNode(node.port(), (redis) -> redis.info("replication"));
	}


	@Override
	public void close() {
		this.cluster.close();
	}

}
