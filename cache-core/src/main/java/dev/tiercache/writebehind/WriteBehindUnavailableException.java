package dev.tiercache.writebehind;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@code @WriteBehind} call that was neither queued nor applied: Redis could not take its
 * queue entry (unreachable, slower than {@code tiercache.redis.timeout}, or not called while its
 * circuit breaker is open), or the call cannot be queued (the codec cannot encode its arguments) while
 * older writes of its key are queued. The method was not run either: run now, it would write around
 * the key's queued writes, which the flusher would then apply over it, leaving the older value in the
 * database and in the cache.
 *
 * <p>The caller decides: retry later (the method must be idempotent anyway, since queued calls are
 * applied at least once), report the failure, or give the write up. Where the call's outcome is not
 * known, {@link #mayHaveBeenQueued()} says so: Redis may have taken the entry before it failed or timed
 * out, or took it without the confirmation {@code write-behind.durability} asks for, and then applies
 * it in order with the key's other writes, as any queued call.
 */
public class WriteBehindUnavailableException extends RuntimeException {

	private final String cacheName;

	private final Object key;

	private final boolean mayHaveBeenQueued;

	/**
	 * @param message what happened and what to do
	 * @param cacheName the cache the call writes to
	 * @param key the call's cache key
	 * @param mayHaveBeenQueued whether the entry may be in the queue after all
	 * @param cause the Redis failure, if any
	 */
	public WriteBehindUnavailableException(String message, String cacheName, Object key, boolean mayHaveBeenQueued,
			@Nullable Throwable cause) {
		super(message, cause);
		this.cacheName = cacheName;
		this.key = key;
		this.mayHaveBeenQueued = mayHaveBeenQueued;
	}

	/** The cache the call writes to. */
	public String cacheName() {
		return this.cacheName;
	}

	/** The call's cache key. */
	public Object key() {
		return this.key;
	}

	/**
	 * Whether the call may be in the queue after all, and then be applied: Redis may have run the
	 * enqueue before it failed or timed out, or ran it without confirming it as durable as configured.
	 * {@code false} when the call certainly was not queued.
	 */
	public boolean mayHaveBeenQueued() {
		return this.mayHaveBeenQueued;
	}

}
