package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.redis.RemoteCallException;

/**
 * Per-key Redis leases that let one caller across all instances load a missing value.
 *
 * <p>A lease is {@code SET lock token NX PX lease}: it always expires, and only its holder, who
 * knows the random token, can renew, use or release it (compare-then-act scripts,
 * {@link LeaseScripts}). Acquiring also reads the value in the same script, so a value stored between
 * a caller's first read and its acquisition is never missed. A loaded value is stored only while the caller's lease still holds,
 * and storing releases it; {@link #write} (a put or an evict) revokes any lease on the key, so a slow
 * loader holding old data never overwrites a newer write ({@code LeaseLocksTests}:
 * {@code writeRevokesTheLeaseSoTheLoadedValueIsNotStored}; {@code ReadThroughTests}:
 * {@code valueLoadedUnderRevokedLeaseIsNotStored}). A caller that finds the lease held flags
 * that it waits (in the same script); a store, release or write that finds the flag publishes the
 * value key on the notification channel, which wakes the waiting callers in every instance. An
 * uncontended miss publishes nothing. A holder whose load stores nothing (it failed, or its result is
 * not to be cached) {@linkplain #releaseUnstored opens} the key for a moment when callers wait, so
 * that they load at once rather than take the lease one after another. A lease is renewed while its
 * load runs, for at most its maximum hold ({@link LeaseRenewals}).
 *
 * <p>An entry whose cache queues writes for its backing store has a {@linkplain EntryKeys#pending()
 * pending write} location. While a write of the key is queued there, no load takes the lease (a
 * loader would read the backing store's older data): {@link #readOrAcquire} returns the queued value
 * instead, {@link #acquireIfFree} refuses, and a holder that took its lease before the write was
 * queued stores nothing ({@link StoreResult#PENDING}). The queuing script revokes the lease anyway;
 * the store's check also covers a lease of another namespace version than the queued write's
 * ({@code LeaseLocksTests}: {@code noBackgroundReloadTakesTheLeaseWhileAWriteIsQueued},
 * {@code aLoadStoresNothingOverAWriteQueuedSinceItTookTheLease}).
 *
 * <p>Thread-safe. {@link #releaseAll()} (and {@link #close()}, which also stops renewals) releases
 * the leases still held, so that waiters elsewhere take over at once rather than after the lease runs
 * out ({@code LeaseLocksTests.closeReleasesHeldLeases}).
 */
public final class LeaseLocks implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(LeaseLocks.class);

	/**
	 * Lua that publishes a wake-up (the value key) if callers flagged that they wait: KEYS[1] is the
	 * value key, KEYS[3] the waiters flag, ARGV[1] the channel. Every script that writes a value
	 * includes it, after deleting the lease (KEYS[2]).
	 */
	public static final String WAKE_WAITERS = """
			if redis.call('DEL', KEYS[3]) == 1 then redis.call('PUBLISH', ARGV[1], KEYS[1]) end
			""";

	/** How long a key stays open after a load that stored nothing, for the callers that waited on it. */
	private static final long OPEN_MILLIS = 1000;

	private static final byte[] NO_HEADER = new byte[0];

	private final RemoteCommands redis;

	private final byte[] channel;

	private final String instanceId;

	private final AtomicLong tokens = new AtomicLong();

	/** The leases held now, renewed while their loads run. */
	private final LeaseRenewals renewals;

	/**
	 * @param redis the Redis access
	 * @param channel the pub/sub channel that wake-ups are published on
	 * @param shortestLease the shortest lease any caller will ask for; held leases are checked for
	 * renewal four times per such lease, and each is renewed once a third of its own duration has
	 * passed
	 */
	public LeaseLocks(RemoteCommands redis, byte[] channel, Duration shortestLease) {
		this.redis = redis;
		this.channel = channel.clone();
		byte[] random = new byte[12];
		new SecureRandom().nextBytes(random);
		this.instanceId = HexFormat.of().formatHex(random);
		this.renewals = new LeaseRenewals(redis, shortestLease);
	}

	/**
	 * A lease on the entry, not taken yet: {@link #readOrAcquire} or {@link #acquireIfFree} takes it. Its
	 * token is unique among every instance's leases.
	 * @param leaseMillis how long the lease holds unless renewed
	 * @param maxHoldMillis how long it is renewed at most while its load runs
	 */
	public Lease newLease(EntryKeys keys, long leaseMillis, long maxHoldMillis) {
		byte[] token = (this.instanceId + ':' + this.tokens.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
		return new Lease(keys, token, leaseMillis, maxHoldMillis);
	}

	/**
	 * Reads the value, or takes the lease if the value is absent and nobody holds it, atomically.
	 * @param lease a {@linkplain #newLease new lease} on the entry
	 * @param unreadable the first bytes of a stored value the caller could not read (it then takes the
	 * lease as if the value were absent, to replace it), or {@code null}
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @return the outcome; {@link Acquisition.Pending} if a write of the key is pending and no value is
	 * stored (or the stored one is to be replaced)
	 * @throws RemoteCallException if Redis fails or does not answer in time: the lease may have been
	 * taken ({@link RemoteCallException#maybeRan()}), and is not renewed
	 */
	public Acquisition readOrAcquire(Lease lease, byte @Nullable [] unreadable, long deadline) {
		EntryKeys keys = lease.keys();
		List<Object> reply = this.redis.eval(deadline, LeaseScripts.READ_OR_ACQUIRE, ScriptOutputType.MULTI,
				LeaseScripts.guarded(keys), LeaseScripts.withPendingField(keys, lease.token(),
						LuaScript.number(lease.leaseMillis()), (unreadable != null) ? unreadable : NO_HEADER));
		if (reply == null || reply.isEmpty()) {
			throw new IllegalStateException("Lease script returned no reply");
		}
		long outcome = (Long) reply.get(0);
		if (outcome == LeaseScripts.FOUND) {
			return new Acquisition.Found((byte[]) reply.get(1));
		}
		if (outcome == LeaseScripts.PENDING) {
			return new Acquisition.Pending((byte[]) reply.get(1));
		}
		if (outcome == LeaseScripts.ACQUIRED) {
			this.renewals.taken(lease);
			return new Acquisition.Acquired(lease);
		}
		if (outcome == LeaseScripts.OPEN) {
			return new Acquisition.Open();
		}
		long remaining = (Long) reply.get(1);
		return new Acquisition.Held((remaining > 0) ? remaining : 0);
	}

	/**
	 * Takes the lease if nobody holds it, whether a value is stored or not: to reload a value in the
	 * background while readers go on reading the stored one.
	 * @param lease a {@linkplain #newLease new lease} on the entry
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @return {@link Acquisition.Acquired} (renewed until released), or {@link Acquisition.Held} if
	 * another caller holds it or a write of the key is pending
	 * @throws RemoteCallException if Redis fails or does not answer in time: the lease may have been
	 * taken ({@link RemoteCallException#maybeRan()}), and is not renewed
	 */
	public Acquisition acquireIfFree(Lease lease, long deadline) {
		EntryKeys keys = lease.keys();
		Long taken = this.redis.eval(deadline, LeaseScripts.ACQUIRE_IF_FREE, ScriptOutputType.INTEGER,
				LeaseScripts.guarded(keys),
				LeaseScripts.withPendingField(keys, lease.token(), LuaScript.number(lease.leaseMillis())));
		if (taken == null || taken != 1) {
			return new Acquisition.Held(0);
		}
		this.renewals.taken(lease);
		return new Acquisition.Acquired(lease);
	}

	/**
	 * Stores a loaded value, unless a write of the key is pending, and releases the lease, if the lease
	 * still holds.
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @return whether the value was stored: {@link StoreResult#LOST} when the lease lapsed or a write
	 * revoked it
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public StoreResult storeAndRelease(Lease lease, byte[] framedValue, long ttlMillis, long deadline) {
		this.renewals.stop(lease);
		EntryKeys keys = lease.keys();
		Long outcome = this.redis.eval(deadline, LeaseScripts.STORE_IF_HELD, ScriptOutputType.INTEGER,
				LeaseScripts.guarded(keys),
				LeaseScripts.withPendingField(keys, this.channel, lease.token(), framedValue,
						LuaScript.number(ttlMillis)));
		if (outcome != null && outcome == LeaseScripts.STORE_WRITTEN) {
			return StoreResult.STORED;
		}
		return (outcome != null && outcome == LeaseScripts.STORE_PENDING) ? StoreResult.PENDING : StoreResult.LOST;
	}

	/**
	 * Releases the lease without storing anything; if callers wait for it, the key is left open for a
	 * moment so that they all load at once instead of taking the lease one after another.
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @throws RemoteCallException if Redis fails or does not answer in time (release it later)
	 */
	public void releaseUnstored(Lease lease, long deadline) {
		this.renewals.stop(lease);
		this.redis.eval(deadline, LeaseScripts.RELEASE_OPEN, ScriptOutputType.INTEGER, LeaseScripts.all(lease.keys()),
				this.channel, lease.token(), LuaScript.number(OPEN_MILLIS));
	}

	/**
	 * Releases the lease if it is still held, waking waiters so that one of them loads. Safe to call
	 * for a lease that lapsed or was never taken.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public void release(Lease lease) {
		this.renewals.stop(lease);
		this.redis.eval(LeaseScripts.RELEASE, ScriptOutputType.INTEGER, LeaseScripts.all(lease.keys()), this.channel,
				lease.token());
	}

	/**
	 * Writes a value (or deletes it when {@code framedValue} is {@code null}) and revokes any lease
	 * on the key. A value is not written over a write of the key queued for the backing store (the
	 * key is deleted instead; readers get the queued write).
	 * @return for a delete, whether a value existed; for a write, whether it was stored
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public boolean write(EntryKeys entry, byte @Nullable [] framedValue, long ttlMillis) {
		Long outcome = this.redis.eval(LeaseScripts.WRITE, ScriptOutputType.INTEGER, LeaseScripts.guarded(entry),
				LeaseScripts.withPendingField(entry, this.channel, (framedValue != null) ? framedValue : NO_HEADER,
						LuaScript.number(ttlMillis)));
		return outcome != null && outcome > 0;
	}

	/**
	 * Revokes any lease on the key without touching its value, so that a load in progress cannot store
	 * its result; waiters are woken to read or load again.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public void revoke(EntryKeys entry) {
		this.redis.eval(LeaseScripts.REVOKE, ScriptOutputType.INTEGER, LeaseScripts.all(entry), this.channel);
	}

	/**
	 * Writes a value unless one is stored, revoking any lease when it writes.
	 * @return the framed value already stored, or {@code null} if this call wrote
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public byte @Nullable [] writeIfAbsent(EntryKeys keys, byte[] framedValue, long ttlMillis) {
		return this.redis.eval(LeaseScripts.WRITE_IF_ABSENT, ScriptOutputType.VALUE, LeaseScripts.all(keys), this.channel,
				framedValue, LuaScript.number(ttlMillis));
	}

	/** How many leases this instance holds now. */
	public int heldCount() {
		return this.renewals.count();
	}

	/**
	 * Releases every lease held now, waking the callers that wait for them, so that they take over at
	 * once: for shutdown, while Redis can still be reached. The loads holding them go on, but cannot
	 * store their values. A lease Redis does not release lapses by itself.
	 */
	public void releaseAll() {
		for (Lease lease : this.renewals.leases()) {
			try {
				release(lease);
			}
			catch (RemoteCallException ex) {
				logger.debug("Could not release a Tiercache lease on shutdown; it lapses by itself", ex);
			}
		}
	}

	/** Stops renewals and {@linkplain #releaseAll() releases} the leases still held. */
	@Override
	public void close() {
		this.renewals.close();
		releaseAll();
	}

	/** What storing a loaded value under its lease did; the caller holds the lease no more in any case. */
	public enum StoreResult {

		/** Stored. */
		STORED,

		/** Not stored: the lease lapsed, or a write revoked it. */
		LOST,

		/**
		 * Not stored: a write of the key is pending that the backing store does not hold yet, so the
		 * loaded value may be older than it.
		 */
		PENDING

	}

}
