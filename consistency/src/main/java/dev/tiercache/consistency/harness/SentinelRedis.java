package dev.tiercache.consistency.harness;

import java.util.List;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisSentinelGroup;

/**
 * The run's Redis on {@link Topology#SENTINEL}: a primary, its replica and three sentinels. Both servers
 * refuse writes while no replica acknowledged within a second ({@code min-replicas-to-write 1},
 * {@code min-replicas-max-lag 1}), as the README asks of a Sentinel deployment: without it, a primary the
 * sentinels failed over goes on taking the writes of the clients still connected to it until they demote
 * it, and those writes are lost.
 */
final class SentinelRedis implements ReplicatedRedis {

	private final RedisSentinelGroup group = RedisSentinelGroup.start();

	SentinelRedis() {
		try {
			refuseWritesWithoutReplica(this.group.primary());
			refuseWritesWithoutReplica(this.group.replica());
		}
		catch (RuntimeException ex) {
			this.group.close();
			throw ex;
		}
	}

	@Override
	public List<String> springProperties() {
		return List.of(this.group.springProperties());
	}

	@Override
	public String describe() {
		return "a primary, a replica and three sentinels (the embedded-redis jar's redis-server; "
				+ "min-replicas-to-write 1, min-replicas-max-lag 1)";
	}

	/** {@code SENTINEL FAILOVER}, then waits until the old primary is the new one's linked replica. */
	@Override
	public void failover() {
		EmbeddedRedis primary = this.group.primary();
		this.group.failover();
		awaitReformed(primary);
	}

	/**
	 * Kills the primary ({@code SIGKILL}), waits until the sentinels promoted its replica, starts it again
	 * (empty) and waits until it is the new primary's linked replica.
	 */
	@Override
	public void killPrimary() {
		EmbeddedRedis primary = this.group.primary();
		primary.kill();
		Sleeper.until("the sentinels promote the replica", REFORMING, () -> this.group.primary() != primary);
		primary.startAfterKill();
		refuseWritesWithoutReplica(primary);
		awaitReformed(primary);
	}

	private void refuseWritesWithoutReplica(EmbeddedRedis server) {
		this.group.onServer(server, (redis) -> redis.configSet("min-replicas-to-write", "1"));
		this.group.onServer(server, (redis) -> redis.configSet("min-replicas-max-lag", "1"));
	}

	private void awaitReformed(EmbeddedRedis oldPrimary) {
		Sleeper.until("the sentinels name the replica the primary", REFORMING,
				() -> this.group.primary() != oldPrimary);
		Sleeper.until("the old primary is the new one's replica, its link up", REFORMING, this.group::formed);
	}

	@Override
	public void close() {
		this.group.close();
	}

}
