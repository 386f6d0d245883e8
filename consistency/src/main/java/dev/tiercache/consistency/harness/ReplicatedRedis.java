package dev.tiercache.consistency.harness;

import java.time.Duration;
import java.util.List;

/**
 * The run's Redis when its primaries have replicas ({@link Topology#SENTINEL}, {@link Topology#CLUSTER}),
 * and the two ways the nemesis fails a primary over. Each returns once the topology is whole again (the
 * old primary the new one's replica, its link up), so that the next fault finds a replica to promote.
 */
interface ReplicatedRedis extends AutoCloseable {

	/** How long the servers may take to re-form after a failover or a kill, at most. */
	Duration REFORMING = Duration.ofSeconds(60);

	/** Spring Boot's properties that point an instance at it. */
	List<String> springProperties();

	/** Which servers run, for the report. */
	String describe();

	/** A replica takes over from its primary as the topology hands over. */
	void failover();

	/**
	 * A primary is killed ({@code SIGKILL}), its replica promoted, and the primary started again, empty, on
	 * its port.
	 * @return whether Redis lost its whole dataset on the way (under Sentinel, when the primary is handed
	 * back to the killed server, restarted empty: see {@code SentinelRedis})
	 */
	boolean killPrimary();

	@Override
	void close();

}
