package dev.tiercache.consistency.harness;

/** The faults the nemesis injects. */
public enum FaultKind {

	/** One instance's connections to Redis are dropped and new ones refused (TCP proxy). */
	CUT(true),

	/** One instance's packets to and from Redis are held, as if dropped (TCP proxy). */
	BLACK_HOLE(true),

	/** One instance's traffic to and from Redis is delayed by 60 to 110 ms each way (TCP proxy). */
	LATENCY(true),

	/**
	 * What Redis sends every instance is delayed by a random 0 to 80 ms per chunk, drawn anew for every
	 * chunk (TCP proxy), except on pub/sub subscriber connections, which deliver at once: with the pub/sub
	 * fallback, a reply may come after an invalidation another instance published later. With
	 * {@code CLIENT TRACKING}, invalidations and replies share one connection and keep their order, and
	 * jitter is latency. Three round trips stay below the Redis timeout (250 ms), so nothing fails.
	 */
	JITTER(false),

	/** One instance is killed with {@code SIGKILL} and started again. */
	KILL(true),

	/** Redis closes the connections that carry invalidations ({@code CLIENT KILL} of tracking and pub/sub clients). */
	CLIENT_KILL(false),

	/** Every instance's loader (the database read) takes 300 ms more. */
	SLOW_LOADER(false),

	/** Every instance's loader throws. */
	FAILING_LOADER(false),

	/**
	 * Every instance's write-behind method (the database write of a queued call) blocks until the fault
	 * is healed, as behind a lock held in the database: queued calls stay queued for seconds, long enough
	 * for reads to refresh their entries meanwhile.
	 */
	STALLED_WRITER(false),

	/**
	 * Every instance's write-behind method throws (the database refuses queued writes), so queued calls
	 * become dead letters. To heal it, as an operator would: the clients pause, the queue settles into
	 * dead letters, the method works again, the dead letters are re-queued and applied, and the clients
	 * resume.
	 */
	FAILING_WRITER(false),

	/** Redis is killed with {@code SIGKILL} and restarted from its append-only file ({@code appendfsync always}). */
	REDIS_RESTART(false),

	/** Redis pauses every client ({@code CLIENT PAUSE … ALL}). */
	CLIENT_PAUSE(false);

	private final boolean targetsOneInstance;

	FaultKind(boolean targetsOneInstance) {
		this.targetsOneInstance = targetsOneInstance;
	}

	boolean targetsOneInstance() {
		return this.targetsOneInstance;
	}

}
