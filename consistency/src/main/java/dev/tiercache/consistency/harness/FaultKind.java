package dev.tiercache.consistency.harness;

import java.util.EnumSet;
import java.util.Set;

/** The faults the nemesis injects, each on the topologies it applies to. */
public enum FaultKind {

	/** One instance's connections to Redis are dropped and new ones refused (TCP proxy). */
	CUT(true, Topology.REDIS),

	/** One instance's packets to and from Redis are held, as if dropped (TCP proxy). */
	BLACK_HOLE(true, Topology.REDIS),

	/** One instance's traffic to and from Redis is delayed by 60 to 110 ms each way (TCP proxy). */
	LATENCY(true, Topology.REDIS),

	/**
	 * What Redis sends every instance is delayed by a random 0 to 80 ms per chunk, drawn anew for every
	 * chunk (TCP proxy), except on pub/sub subscriber connections, which deliver at once: with the pub/sub
	 * fallback, a reply may come after an invalidation another instance published later. With
	 * {@code CLIENT TRACKING}, invalidations and replies share one connection and keep their order, and
	 * jitter is latency. Three round trips stay below the Redis timeout (250 ms), so nothing fails.
	 */
	JITTER(false, Topology.REDIS),

	/** One instance is killed with {@code SIGKILL} and started again. */
	KILL(true, Topology.REDIS, Topology.SENTINEL, Topology.CLUSTER),

	/** Redis closes the connections that carry invalidations ({@code CLIENT KILL} of tracking and pub/sub clients). */
	CLIENT_KILL(false, Topology.REDIS),

	/** Every instance's loader (the database read) takes 300 ms more. */
	SLOW_LOADER(false, Topology.REDIS, Topology.SENTINEL, Topology.CLUSTER),

	/** Every instance's loader throws. */
	FAILING_LOADER(false, Topology.REDIS, Topology.SENTINEL, Topology.CLUSTER),

	/**
	 * Every instance's write-behind method (the database write of a queued call) blocks until the fault
	 * is healed, as behind a lock held in the database: queued calls stay queued for seconds, long enough
	 * for reads to refresh their entries meanwhile.
	 */
	STALLED_WRITER(false, Topology.REDIS, Topology.SENTINEL, Topology.CLUSTER),

	/**
	 * Every instance's write-behind method throws (the database refuses queued writes), so queued calls
	 * become dead letters. To heal it, as an operator would: the clients pause, the queue settles into
	 * dead letters, the method works again, the dead letters are re-queued and applied, and the clients
	 * resume.
	 */
	FAILING_WRITER(false, Topology.REDIS, Topology.SENTINEL, Topology.CLUSTER),

	/** Redis is killed with {@code SIGKILL} and restarted from its append-only file ({@code appendfsync always}). */
	REDIS_RESTART(false, Topology.REDIS),

	/** Redis pauses every client ({@code CLIENT PAUSE … ALL}). */
	CLIENT_PAUSE(false, Topology.REDIS),

	/**
	 * The sentinels fail the primary over to its replica ({@code SENTINEL FAILOVER}); healed once the old
	 * primary is the new one's replica, its link up.
	 */
	SENTINEL_FAILOVER(false, Topology.SENTINEL),

	/**
	 * A replica takes over from its primary ({@code CLUSTER FAILOVER}, the next primary of the cluster each
	 * time); healed once the old primary is the new one's replica, its link up.
	 */
	CLUSTER_FAILOVER(false, Topology.CLUSTER),

	/**
	 * A primary is killed with {@code SIGKILL} (on a cluster, the next primary each time); the sentinels,
	 * or the cluster's nodes, find it down within seconds and promote its replica. Healed once it was
	 * started again and is the new primary's replica, its link up.
	 */
	PRIMARY_KILL(false, Topology.SENTINEL, Topology.CLUSTER);

	private final boolean targetsOneInstance;

	private final Set<Topology> topologies;

	FaultKind(boolean targetsOneInstance, Topology first, Topology... others) {
		this.targetsOneInstance = targetsOneInstance;
		this.topologies = EnumSet.of(first, others);
	}

	boolean targetsOneInstance() {
		return this.targetsOneInstance;
	}

	/** Whether the nemesis can inject this fault on {@code topology}. */
	public boolean appliesTo(Topology topology) {
		return this.topologies.contains(topology);
	}

	/** Every fault the nemesis can inject on {@code topology}. */
	public static Set<FaultKind> on(Topology topology) {
		Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
		for (FaultKind kind : values()) {
			if (kind.appliesTo(topology)) {
				kinds.add(kind);
			}
		}
		return kinds;
	}

}
