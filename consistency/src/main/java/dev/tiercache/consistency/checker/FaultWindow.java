package dev.tiercache.consistency.checker;

/**
 * When a fault was in force, as the nemesis applied and healed it.
 *
 * @param kind the fault
 * @param target what it hit (an instance, or {@code all})
 * @param start when it began ({@code System.nanoTime()})
 * @param end when it was healed
 */
public record FaultWindow(String kind, String target, long start, long end) {

	/**
	 * Whether reads made during the fault (and its recovery) are held only to writes acknowledged
	 * before it. Faults that only slow something down excuse nothing: a slow loader makes loads slower,
	 * never staler; a stalled writer leaves queued calls queued longer, and reads see queued calls; and
	 * jitter delays invalidations by at most its 120 ms, inside the bound.
	 */
	public boolean excusesStaleness() {
		return switch (this.kind) {
			case "SLOW_LOADER", "STALLED_WRITER", "JITTER" -> false;
			default -> true;
		};
	}

	/**
	 * Whether staleness may outlast the fault by the recovery time. A failing writer is healed only once
	 * its dead letters were re-queued and applied, before the clients resume, and nothing else had broken:
	 * from then on, every read is held to every write again.
	 */
	public boolean needsRecovery() {
		return !"FAILING_WRITER".equals(this.kind);
	}

	/**
	 * Whether, during the fault, reads may not see write-behind calls acknowledged before it: an
	 * instance that cannot reach Redis (cut, black hole, latency beyond its timeout, Redis restarting or
	 * paused) reads the database, which does not hold the calls still queued in Redis; and a backing
	 * store that refuses queued writes turns them into dead letters, which the database never got,
	 * until they are re-queued.
	 */
	public boolean hidesQueuedWrites() {
		return switch (this.kind) {
			case "CUT", "BLACK_HOLE", "LATENCY", "REDIS_RESTART", "CLIENT_PAUSE", "FAILING_WRITER" -> true;
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
