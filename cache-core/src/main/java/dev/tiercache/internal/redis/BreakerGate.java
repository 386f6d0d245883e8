package dev.tiercache.internal.redis;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * How the calls of one {@link RemoteCommands} meet its {@link RedisCircuitBreaker}: whether a call may
 * go, and how its outcome counts.
 *
 * <p>A call goes only while the breaker admits calls; otherwise it fails at once, without reaching
 * Redis, with a shared {@link RemoteCallException} that names the breaker's settings. A call Redis
 * answered counts as a success, with its duration: an error reply is an answer, unless it says Redis
 * cannot serve now ({@code LOADING}, {@code READONLY} and the like), which counts as a failure, as
 * does a call Redis did not answer. A caller's interrupt is not held against Redis. Calls that block
 * by design ({@code WAIT}) are not timed: they count as taking no time. Thread-safe.
 */
final class BreakerGate {

	/** What a call made while the breaker does not admit calls throws: shared, without a stack trace. */
	private static final RemoteCallException NOT_ADMITTED = new RemoteCallException(
			"Tiercache is not calling Redis for now: it failed or was slow too often, and is probed in the background"
					+ " (settings: 'tiercache.redis.breaker.*')");

	/** Error replies that mean Redis cannot serve now, rather than that the command was wrong. */
	private static final List<String> OUTAGE_REPLIES = List.of("LOADING", "BUSY ", "MASTERDOWN", "CLUSTERDOWN",
			"TRYAGAIN", "READONLY", "NOREPLICAS");

	private final RedisCircuitBreaker breaker;

	/** Whether a call's duration is held against Redis (not for commands that block by design). */
	private final boolean timed;

	BreakerGate(RedisCircuitBreaker breaker, boolean timed) {
		this.breaker = breaker;
		this.timed = timed;
	}

	/** @throws RemoteCallException (never sent) if the breaker does not admit calls now */
	void admit() {
		if (!this.breaker.admits()) {
			throw NOT_ADMITTED;
		}
	}

	/** Records a call, started at {@code started} ({@link System#nanoTime()}), that Redis answered. */
	void succeeded(long started) {
		this.breaker.succeeded(elapsedSince(started));
	}

	/**
	 * Records a failed call: an error reply as an answer (unless it says Redis cannot serve), an
	 * interrupt of the caller not at all, anything else as a failure.
	 */
	void failed(RemoteCallException failure, long started) {
		Throwable cause = failure.getCause();
		if (cause instanceof InterruptedException) {
			return;
		}
		if (failure.refusedByRedis()) {
			this.breaker.succeeded(elapsedSince(started));
		}
		else {
			this.breaker.failed(elapsedSince(started), failure);
		}
	}

	private long elapsedSince(long started) {
		return this.timed ? System.nanoTime() - started : 0;
	}

	/** Whether an error reply says Redis cannot serve now, rather than that the command was wrong. */
	static boolean signalsOutage(@Nullable String reply) {
		if (reply != null) {
			for (String prefix : OUTAGE_REPLIES) {
				if (reply.startsWith(prefix)) {
					return true;
				}
			}
		}
		return false;
	}

}
