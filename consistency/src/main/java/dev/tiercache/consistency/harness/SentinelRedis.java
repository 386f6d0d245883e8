package dev.tiercache.consistency.harness;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisSentinelGroup;

/**
 * The run's Redis on {@link Topology#SENTINEL}: a primary, its replica and three sentinels, and the two
 * ways the nemesis fails the primary over. Each returns once the group is whole again (the old primary
 * the new one's replica, its link up), so that the next fault finds a replica to promote.
 */
final class SentinelRedis implements AutoCloseable {

	/** How long a failover, and the group's return to a primary and a linked replica, may take. */
	private static final Duration REFORMING = Duration.ofSeconds(60);

	private final RedisSentinelGroup group = RedisSentinelGroup.start();

	/** Spring Boot's properties that point an instance at the sentinels. */
	List<String> springProperties() {
		return List.of(this.group.springProperties());
	}

	String describe() {
		return "a primary, a replica and three sentinels (the embedded-redis jar's redis-server)";
	}

	/** {@code SENTINEL FAILOVER}, then waits until the old primary is the new one's linked replica. */
	void failover() {
		EmbeddedRedis primary = this.group.primary();
		this.group.failover();
		awaitReformed(primary);
	}

	/**
	 * Kills the primary ({@code SIGKILL}), waits until the sentinels promoted its replica, starts it again
	 * (empty) and waits until it is the new primary's linked replica.
	 */
	void killPrimary() {
		EmbeddedRedis primary = this.group.primary();
		primary.kill();
		await("the sentinels promote the replica", () -> this.group.primary() != primary);
		primary.startAfterKill();
		awaitReformed(primary);
	}

	private void awaitReformed(EmbeddedRedis oldPrimary) {
		await("the sentinels name the replica the primary", () -> this.group.primary() != oldPrimary);
		await("the old primary is the new one's replica, its link up", this.group::formed);
	}

	private static void await(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + REFORMING.toNanos();
		while (!answers(condition)) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("The Sentinel group did not recover within " + REFORMING + ": " + what);
			}
			Sleeper.sleep(Duration.ofMillis(20));
		}
	}

	private static boolean answers(BooleanSupplier condition) {
		try {
			return condition.getAsBoolean();
		}
		catch (RuntimeException ex) {
			// a sentinel or server that does not answer yet
			return false;
		}
	}

	@Override
	public void close() {
		this.group.close();
	}

}
