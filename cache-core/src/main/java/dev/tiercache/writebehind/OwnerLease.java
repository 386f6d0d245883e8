package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.Arrays;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * This instance's lease on one partition of a queue, and the fencing token that comes with it.
 *
 * <p><b>In Redis</b> the lease is a hash without a TTL: {@code epoch}, how many times the partition
 * was taken; {@code token}, the owner's instance id, the epoch it took the partition at and Redis's time
 * then; {@code until}, when the lease runs out, by Redis's clock. An instance {@linkplain #take() takes}
 * the partition when it has no owner or its owner's lease ran out, which increments the epoch, so every
 * ownership gets a token no earlier or later one has; the time keeps it so when the hash was lost (a
 * failover to a replica that lacked it) and its epoch started again. The owner's heartbeat ({@link OwnerLeases}, a
 * thread of its own, so that a slow call does not lose it) renews it while the token is still the
 * hash's.
 *
 * <p><b>Fencing.</b> Every write the flusher makes to the partition is refused by Redis unless its
 * token is still the lease's ({@link QueueScripts}), and before each call the flusher checks that the
 * lease was renewed less than a lease duration ago and {@linkplain #confirm confirms} the token with
 * Redis. So an owner that lost the partition (it paused, or was cut off from Redis, for longer than the
 * lease, and another instance took over) can neither read, claim, acknowledge nor dead-letter entries,
 * nor start another call. What no token in Redis can stop is a call already running in the database
 * when the lease was lost: it finishes, possibly after the new owner applied a newer write of the same
 * key. So this instance never {@linkplain #release() gives up} a lease while a call runs under it, not
 * even at shutdown ({@link PartitionFlusher}): only a lease that runs out opens that window.
 *
 * <p><b>Locally</b> the lease is held until the heartbeat learns it was lost, and counts as valid for
 * one lease duration after the last renewal was sent (so never longer than Redis lets it run). Thread-safe.
 */
final class OwnerLease {

	/** How long a confirmation of the token by Redis is relied on before a call. */
	static final Duration CONFIRMATION = Duration.ofMillis(50);

	private static final byte[] TOKEN = QueueKeys.ascii("token");

	private final RemoteCommands commands;

	private final byte[] key;

	private final byte[] instanceId;

	private final long leaseNanos;

	private final byte[] leaseMillis;

	/** The token this instance holds, or {@code null} (guarded by this). */
	private byte @Nullable [] token;

	/** Until when, by {@link System#nanoTime()}, the lease is sure to run in Redis (guarded by this). */
	private long validUntil;

	/** When the last confirmation of the token that Redis answered was sent (guarded by this). */
	private long confirmedAt;

	OwnerLease(RemoteCommands commands, byte[] key, byte[] instanceId, Duration lease) {
		this.commands = commands;
		this.key = key;
		this.instanceId = instanceId;
		this.leaseNanos = lease.toNanos();
		this.leaseMillis = QueueKeys.ascii(lease.toMillis());
	}

	byte[] key() {
		return this.key;
	}

	/** The token this instance holds, or {@code null} if it does not own the partition. */
	synchronized byte @Nullable [] token() {
		return this.token;
	}

	/**
	 * Whether {@code token} is the one this instance holds and its lease is sure to run still: renewed
	 * less than a lease duration ago.
	 */
	synchronized boolean held(byte[] token) {
		return Arrays.equals(this.token, token) && System.nanoTime() - this.validUntil < 0;
	}

	/**
	 * Takes the partition if it has no owner or its owner's lease ran out.
	 * @return the new token, or {@code null} if another instance holds the partition
	 * @throws RemoteCallException if Redis did not answer
	 */
	byte @Nullable [] take() {
		long sent = System.nanoTime();
		byte[] taken = this.commands.eval(QueueScripts.TAKE, ScriptOutputType.VALUE, new byte[][] { this.key },
				this.instanceId, this.leaseMillis);
		if (taken != null) {
			synchronized (this) {
				this.token = taken;
				this.validUntil = sent + this.leaseNanos;
				this.confirmedAt = sent;
			}
		}
		return taken;
	}

	/** Redis renewed the lease of {@code token} by a call sent at {@code sent} ({@link System#nanoTime()}). */
	synchronized void renewed(byte[] token, long sent) {
		if (Arrays.equals(this.token, token)) {
			this.validUntil = sent + this.leaseNanos;
			this.confirmedAt = Math.max(this.confirmedAt, sent);
		}
	}

	/**
	 * Redis no longer has {@code token} as the lease's: another instance took the partition.
	 * @return whether this instance held it until now
	 */
	synchronized boolean lost(byte[] token) {
		if (!Arrays.equals(this.token, token)) {
			return false;
		}
		this.token = null;
		return true;
	}

	/**
	 * Whether Redis has {@code token} as the lease's, right before a call: asked now, unless Redis
	 * confirmed it (answering this, a renewal or the take) less than {@link #CONFIRMATION} before, while
	 * the lease was {@linkplain #held held}. Asking before every call doubled the time a busy partition
	 * takes to drain (one more round trip per call), for what only a lease changed behind the lease's
	 * own expiry can show: Redis losing the lease (a failover to a replica without its last renewal, a
	 * deletion) and another instance taking it within those milliseconds.
	 * @throws RemoteCallException if Redis did not answer
	 */
	boolean confirm(byte[] token) {
		synchronized (this) {
			if (held(token) && System.nanoTime() - this.confirmedAt < CONFIRMATION.toNanos()) {
				return true;
			}
		}
		long sent = System.nanoTime();
		if (!Arrays.equals(this.commands.call((redis) -> redis.hget(this.key, TOKEN)), token)) {
			return false;
		}
		synchronized (this) {
			if (Arrays.equals(this.token, token)) {
				this.confirmedAt = Math.max(this.confirmedAt, sent);
			}
			// the reply may come after the lease ran out (Redis paused, say): another instance may own it now
			return held(token);
		}
	}

	/**
	 * Gives the partition up, if this instance holds it: another instance may take it at once.
	 * @throws RemoteCallException if Redis did not answer (the lease then runs out by itself)
	 */
	void release() {
		byte[] held;
		synchronized (this) {
			held = this.token;
			this.token = null;
		}
		if (held != null) {
			this.commands.eval(QueueScripts.RELEASE, ScriptOutputType.INTEGER, new byte[][] { this.key }, held);
		}
	}

}
