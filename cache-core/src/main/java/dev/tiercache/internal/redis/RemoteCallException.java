package dev.tiercache.internal.redis;

import io.lettuce.core.RedisCommandExecutionException;

/**
 * Thrown when a Redis call fails, times out, or cannot be made because Redis is unreachable.
 * Tiercache treats it as an L2 miss: the caller is served by the loader and the error is counted.
 * {@link #maybeRan()} tells a call that never reached Redis (which then had no effect there) from one
 * that Redis may have run before it failed or timed out.
 */
public class RemoteCallException extends RuntimeException {

	private final boolean maybeRan;

	/** A call that was sent: Redis may have run it (it timed out, or the connection broke under it). */
	public RemoteCallException(String message, Throwable cause) {
		this(message, cause, true);
	}

	/** An exception to throw many times, for a call never sent: no cause, no stack trace. */
	public RemoteCallException(String message) {
		super(message, null, false, false);
		this.maybeRan = false;
	}

	private RemoteCallException(String message, Throwable cause, boolean maybeRan) {
		super(message, cause);
		this.maybeRan = maybeRan;
	}

	/** A call that was never sent (no connection, Redis not known to be usable), so Redis did not run it. */
	public static RemoteCallException notSent(String message, Throwable cause) {
		return new RemoteCallException(message, cause, false);
	}

	/** Whether Redis may have run the call: {@code false} only when it was never sent. */
	public boolean maybeRan() {
		return this.maybeRan;
	}

	/**
	 * Whether Redis answered, refusing the call with an error reply that does not say it cannot serve
	 * now (as {@code OOM} or {@code NOPERM} do, and {@code LOADING} or {@code READONLY} do not): Redis is
	 * there, the call itself was refused.
	 */
	public boolean refusedByRedis() {
		return getCause() instanceof RedisCommandExecutionException reply
				&& !BreakerGate.signalsOutage(reply.getMessage());
	}

}
