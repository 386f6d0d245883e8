package dev.tiercache.consistency.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.tiercache.consistency.node.KeyGroup;
import dev.tiercache.consistency.node.KeySpace;

/**
 * One run's settings.
 *
 * @param subject {@code tiercache}, or {@code spring} for the baseline (plain Spring caching on
 * {@code RedisCacheManager})
 * @param seed draws the fault schedule and the clients' choices
 * @param runMillis how long the clients run
 * @param instances how many application instances
 * @param keys how many keys
 * @param clients client threads per instance
 * @param thinkMicros mean pause between a client's calls
 * @param faultKinds the faults the nemesis injects, in turn (none: no nemesis)
 * @param pubSub whether Tiercache keeps L1 coherent through its pub/sub fallback (the instances speak
 * RESP2) rather than {@code CLIENT TRACKING}
 * @param topology the Redis the instances share
 * @param readFrom where Tiercache reads entries' values ({@code tiercache.redis.read-from}: replicas, say);
 * {@code null} for the primary
 * @param minReplicas the Sentinel-managed servers' {@code min-replicas-to-write} (with
 * {@code min-replicas-max-lag 1}), as the README asks of Sentinel deployments; 0 leaves it unset
 */
public record RunSettings(String subject, long seed, long runMillis, int instances, int keys, int clients,
		long thinkMicros, Set<FaultKind> faultKinds, boolean pubSub, Topology topology, @Nullable String readFrom,
		int minReplicas) {

	/** Staleness allowed outside faults, for keys in both tiers or Redis only: well above the measured p99 of 1.5 ms. */
	public static final Duration FRESHNESS_BOUND = Duration.ofMillis(250);

	/**
	 * The write-behind {@code claim-idle} on Sentinel and on a cluster: longer than a failover takes there
	 * (one Redis's runs take 2 s, so that a killed instance's partitions move on quickly).
	 */
	private static final Duration REPLICATED_CLAIM_IDLE = Duration.ofSeconds(10);

	/** Staleness allowed for keys of the {@code local}-mode cache: its {@code local.ttl} (1 s), plus the bound above. */
	public static final Duration LOCAL_FRESHNESS_BOUND = Duration.ofMillis(1250);

	/**
	 * How long after a fault is healed staleness may last: Lettuce reconnecting (at most 1 s apart), the
	 * breaker probing (every 500 ms) and replaying the deletes it missed, a restarted instance's first
	 * calls. Measured on a loaded 2-core machine: up to 7-8 s after a cut or black hole of one instance
	 * (its breaker stayed open up to 7.1 s), where 5 s was meant; why is not known yet (README, Limits).
	 */
	public static final Duration RECOVERY = Duration.ofSeconds(8);

	/**
	 * How long the effects of a Redis call that failed outside the injected faults may last: a delete that
	 * failed is retried every 500 ms, within the Redis timeout of 250 ms (see {@code SeenRedisFailures}).
	 */
	public static final Duration FAILURE_SETTLE = Duration.ofSeconds(2);

	/**
	 * The longest an entry put in the cache may be read: its TTL of 4 s (jitter only shortens it), plus
	 * 2 s of stale-while-revalidate.
	 */
	public static final Duration ENTRY_LIFETIME = Duration.ofSeconds(6);

	/** The last part of the clients' run, in which no fault is injected. */
	public static final Duration QUIET_TAIL = Duration.ofSeconds(3);

	/** How long the cluster is left alone after the clients stopped and the write-behind queue drained. */
	public static final Duration QUIET_PERIOD = Duration.ofMillis(1500);

	public RunSettings {
		// a run recorded before kinds could be chosen had every kind
		Set<FaultKind> kinds = (faultKinds != null) ? faultKinds : EnumSet.allOf(FaultKind.class);
		faultKinds = kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
		// a run recorded before topologies could be chosen had one Redis
		topology = (topology != null) ? topology : Topology.REDIS;
		for (FaultKind kind : faultKinds) {
			if (!kind.appliesTo(topology)) {
				throw new IllegalArgumentException("The fault " + kind + " cannot be injected on the topology "
						+ topology + "; its faults are " + FaultKind.on(topology));
			}
		}
		if (minReplicas < 0 || minReplicas > 1 || (minReplicas == 1 && topology != Topology.SENTINEL)) {
			throw new IllegalArgumentException("min-replicas-to-write " + minReplicas + " applies to Sentinel's "
					+ "one replica only: 0 or 1 on " + Topology.SENTINEL + ", 0 elsewhere");
		}
	}

	/** A run on one Redis with every kind of fault. */
	public static RunSettings of(String subject, long seed, Duration run) {
		return of(subject, seed, run, FaultKind.on(Topology.REDIS));
	}

	/** A run on one Redis with only these kinds of fault, to look at one kind of failure closely. */
	public static RunSettings of(String subject, long seed, Duration run, Set<FaultKind> faultKinds) {
		return of(subject, seed, run, faultKinds, Topology.REDIS);
	}

	/**
	 * A run on {@code topology} with these kinds of fault (each must apply to it). On Sentinel the servers
	 * refuse writes without their replica ({@code min-replicas-to-write 1}), as the README asks of Sentinel
	 * deployments; {@link #withMinReplicas(int) withMinReplicas(0)} runs without.
	 */
	public static RunSettings of(String subject, long seed, Duration run, Set<FaultKind> faultKinds,
			Topology topology) {
		return new RunSettings(subject, seed, run.toMillis(), 4, 300, 4, 3000, faultKinds, false, topology, null,
				(topology == Topology.SENTINEL) ? 1 : 0);
	}

	/** The same run with L1 kept coherent through Tiercache's pub/sub fallback. */
	public RunSettings withPubSub() {
		return new RunSettings(this.subject, this.seed, this.runMillis, this.instances, this.keys, this.clients,
				this.thinkMicros, this.faultKinds, true, this.topology, this.readFrom, this.minReplicas);
	}

	/** The same run with Tiercache reading entries' values where {@code readFrom} says ({@code replica}, say). */
	public RunSettings withReadFrom(String readFrom) {
		return new RunSettings(this.subject, this.seed, this.runMillis, this.instances, this.keys, this.clients,
				this.thinkMicros, this.faultKinds, this.pubSub, this.topology, readFrom, this.minReplicas);
	}

	/**
	 * The same run on Sentinel-managed servers that refuse writes unless {@code replicas} replicas are
	 * connected, acknowledging within a second; 0: servers that take writes without a replica.
	 */
	public RunSettings withMinReplicas(int replicas) {
		return new RunSettings(this.subject, this.seed, this.runMillis, this.instances, this.keys, this.clients,
				this.thinkMicros, this.faultKinds, this.pubSub, this.topology, this.readFrom, replicas);
	}

	/**
	 * The subject as reports name it: with {@code (pub/sub)} when L1 is kept coherent that way, and the
	 * topology when it is not one Redis.
	 */
	public String subjectName() {
		String name = this.pubSub ? this.subject + " (pub/sub)" : this.subject;
		if (this.readFrom != null) {
			name = name + " (read-from " + this.readFrom + ")";
		}
		if (this.topology == Topology.SENTINEL && this.minReplicas == 0) {
			name = name + " (without min-replicas-to-write)";
		}
		return (this.topology == Topology.REDIS) ? name : name + " on " + this.topology.name().toLowerCase(Locale.ROOT);
	}

	/**
	 * A new name for a run's schema and key prefix, unique enough to let runs share a server. Draw it
	 * once per run: every instance of the run must get the same one.
	 */
	String runId() {
		return this.subject + "_" + Long.toHexString(this.seed & 0xffffffL) + "_"
				+ Long.toHexString(System.nanoTime() & 0xffffffL);
	}

	/** The fault schedule the seed draws (empty without faults). */
	public Schedule schedule() {
		if (this.faultKinds.isEmpty()) {
			return new Schedule(List.of());
		}
		return Schedule.draw(this.seed, this.faultKinds, this.runMillis, this.instances, new long[] { 1000, 2500 },
				new long[] { 1500, 3000 }, 3000, QUIET_TAIL.toMillis());
	}

	/** The key space the instances use. */
	public KeySpace keySpace() {
		return new KeySpace(this.keys, 1.0);
	}

	/** A key's staleness bound outside faults, in nanoseconds. */
	public long freshnessBoundNanos(long key) {
		boolean local = "tiercache".equals(this.subject) && keySpace().groupOf(key) == KeyGroup.LOCAL;
		return (local ? LOCAL_FRESHNESS_BOUND : FRESHNESS_BOUND).toNanos();
	}

	/**
	 * The arguments of one instance of the run {@code runId}: instances share its key prefix, so that
	 * they share one cache.
	 * @param redis Spring Boot's properties that point the instance at the run's Redis
	 */
	List<String> instanceArguments(String runId, List<String> redis, String jdbcUrl) {
		String prefix = runId;
		List<String> arguments = new ArrayList<>(
				List.of("--spring.profiles.active=" + this.subject.toLowerCase(Locale.ROOT)));
		redis.forEach((property) -> arguments.add("--" + property));
		if (this.topology != Topology.REDIS) {
			arguments.add("--tiercache.defaults.write-behind.durability=replica");
			// longer than a failover takes, so that partitions stay with the instances that applied their
			// entries, which alone recognise the entries a new primary hands back (README, Limits)
			arguments.add("--tiercache.defaults.write-behind.claim-idle=" + REPLICATED_CLAIM_IDLE.toSeconds() + "s");
		}
		if (this.readFrom != null) {
			arguments.add("--tiercache.redis.read-from=" + this.readFrom);
		}
		arguments.addAll(List.of("--spring.datasource.url=" + jdbcUrl, "--tiercache.key-prefix=" + prefix,
				"--spring.cache.redis.key-prefix=" + prefix + ":", "--consistency.seed=" + this.seed,
				"--consistency.keys=" + this.keys, "--consistency.clients=" + this.clients,
				"--consistency.think-micros=" + this.thinkMicros,
				"--consistency.coherence=" + (this.pubSub ? "pubsub" : "tracking")));
		return arguments;
	}

}
