package dev.tiercache.consistency.checker;

/**
 * When a fault was in force, as the nemesis applied and healed it.
 *
 * @param kind the fault
 * @param target what it hit (an instance, or {@code all}), with a note after it when Redis lost its dataset
 * @param start when it began ({@code System.nanoTime()})
 * @param end when it was healed
 */
public record FaultWindow(String kind, String target, long start, long end) {

	/** Whether reads made during the fault (and its recovery) are held only to writes acknowledged before it. */
	public boolean excusesStaleness() {
		return excusesStaleness(this.kind);
	}

	/**
	 * Whether reads made during a fault of this kind (and its recovery) are held only to writes
	 * acknowledged before it. Faults that only slow something down excuse nothing: a slow loader makes
	 * loads slower, never staler; a stalled writer leaves queued calls queued longer, and reads see
	 * queued calls; jitter delays replies, and with them nothing a read relies on beyond the bound.
	 */
	public static boolean excusesStaleness(String kind) {
		return switch (kind) {
			case "SLOW_LOADER", "STALLED_WRITER", "JITTER" -> false;
			default -> true;
		};
	}

	/** Whether staleness may outlast the fault by the recovery time: see {@link #needsRecovery(String)}. */
	public boolean needsRecovery() {
		return needsRecovery(this.kind);
	}

	/**
	 * Whether staleness may outlast a fault of this kind by the recovery time. A failing writer is healed
	 * only once its dead letters were re-queued and applied, before the clients resume, and nothing else
	 * had broken: from then on, every read is held to every write again. A window of {@linkplain SeenRedisFailures
	 * Redis failures seen} lasts until their effects are over. Faults that excuse nothing need no recovery
	 * either.
	 */
	public static boolean needsRecovery(String kind) {
		return excusesStaleness(kind) && !"FAILING_WRITER".equals(kind) && !SeenRedisFailures.KIND.equals(kind);
	}

	/**
	 * Whether, during the fault, reads may not see write-behind calls acknowledged before it: an
	 * instance that cannot reach Redis (cut, black hole, latency beyond its timeout, Redis restarting or
	 * paused, a primary failing over, or a Redis call that failed on its own)
	 * reads the database, which does not hold the calls still queued in Redis; and a backing
	 * store that refuses queued writes turns them into dead letters, which the database never got,
	 * until they are re-queued.
	 */
	public boolean hidesQueuedWrites() {
		return switch (this.kind) {
			case "CUT", "BLACK_HOLE", "LATENCY", "REDIS_RESTART", "CLIENT_PAUSE", "FAILING_WRITER", "SENTINEL_FAILOVER",
					"CLUSTER_FAILOVER", "PRIMARY_KILL", SeenRedisFailures.KIND -> true;
			default -> false;
		};
	}

	/**
	 * Whether the fault kills the instance that acknowledged a write, whose cache delete may then be
	 * lost: an instance that could not reach Redis when it wrote keeps the delete it owes the others in
	 * memory until Redis answers, and a {@code kill -9} loses it, so that others may read the old value
	 * until the entry's TTL (a documented limit).
	 */
	public boolean killed(int node) {
		return "KILL".equals(this.kind) && this.target.equals("n" + node);
	}

}
