package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.redis.RemoteCallException;

/**
 * Per-key Redis leases that let one caller across all instances load a missing value.
 *
 * <p>A lease is {@code SET lock token NX PX lease}: it always expires, and only its holder, who
 * knows the random token, can renew, use or release it (compare-then-act scripts). Acquiring also
 * reads the value in the same script, so a value stored between a caller's first read and its
 * acquisition is never missed. A loaded value is stored only while the caller's lease still holds,
 * and storing releases it; {@link #write} (a put or an evict) revokes any lease on the key, so a slow
 * loader holding old data never overwrites a newer write. A caller that finds the lease held flags
 * that it waits (in the same script); a store, release or write that finds the flag publishes the
 * value key on the notification channel, which wakes the waiting callers in every instance. An
 * uncontended miss publishes nothing. A holder whose load stores nothing (it failed, or its result is
 * not to be cached) {@linkplain #releaseUnstored opens} the key for a moment when callers wait, so
 * that they load at once rather than take the lease one after another. A lease is renewed while its
 * load runs, for at most its maximum hold.
 *
 * <p>An entry whose cache queues writes for its backing store has a {@linkplain EntryKeys#pending()
 * pending write} location. While a write of the key is queued there, no load takes the lease (a
 * loader would read the backing store's older data): {@link #readOrAcquire} returns the queued value
 * instead, {@link #acquireIfFree} refuses, and a holder that took its lease before the write was
 * queued stores nothing ({@link StoreResult#PENDING}). The queuing script revokes the lease anyway;
 * the store's check also covers a lease of another namespace version than the queued write's.
 *
 * <p>Thread-safe. {@link #releaseAll()} (and {@link #close()}, which also stops renewals) releases
 * the leases still held, so that waiters elsewhere take over at once rather than after the lease runs
 * out.
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

	/**
	 * Returns {1, value} if a value is stored (unless its first bytes equal ARGV[3], a value the caller
	 * cannot read and will replace); else {5, value} if a write of the key is pending (field ARGV[4] of
	 * the hash KEYS[5], when given); {2} if the caller took the lease; {4} if the key is open (the last
	 * load stored nothing); otherwise flags a waiter and returns {3, remaining lease}.
	 */
	private static final LuaScript READ_OR_ACQUIRE = LuaScript.of("""
			local value = redis.call('GET', KEYS[1])
			if value and (ARGV[3] == '' or string.sub(value, 1, #ARGV[3]) ~= ARGV[3]) then return {1, value} end
			if KEYS[5] then
			  local pending = redis.call('HGET', KEYS[5], ARGV[4])
			  if pending then return {5, pending} end
			end
			local lock = redis.call('GET', KEYS[2])
			if not lock then
			  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
			  return {2}
			end
			if lock == 'open' then return {4} end
			redis.call('SET', KEYS[3], '1', 'PX', tostring(tonumber(ARGV[2]) + 1000))
			return {3, redis.call('PTTL', KEYS[2])}
			""");

	/**
	 * Takes the lease if nobody holds it, whatever the value, and no write of the key is pending (field
	 * ARGV[3] of the hash KEYS[5], when given): 1 if taken, 0 if not.
	 */
	private static final LuaScript ACQUIRE_IF_FREE = LuaScript.of("""
			if KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[3]) == 1 then return 0 end
			if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
			return 0
			""");

	/**
	 * If the caller (token ARGV[2]) holds the lease: stores the value ARGV[3] for ARGV[4] ms, unless a
	 * write of the key is pending (field ARGV[5] of the hash KEYS[5], when given), and releases the lease.
	 * Returns 1 if stored, 2 if a write is pending, 0 if the lease is not held.
	 */
	private static final LuaScript STORE_IF_HELD = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			local outcome = 2
			if not (KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[5]) == 1) then
			  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
			  outcome = 1
			end
			redis.call('DEL', KEYS[2])
			""" + WAKE_WAITERS + """
			return outcome
			""");

	private static final LuaScript RELEASE = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			redis.call('DEL', KEYS[2])
			""" + WAKE_WAITERS + """
			return 1
			""");

	/** Releases a lease whose load stored nothing; if callers wait, opens the key so they load at once. */
	private static final LuaScript RELEASE_OPEN = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			if redis.call('DEL', KEYS[3]) == 1 then
			  redis.call('SET', KEYS[2], 'open', 'PX', ARGV[3])
			  redis.call('PUBLISH', ARGV[1], KEYS[1])
			else
			  redis.call('DEL', KEYS[2])
			end
			return 1
			""");

	private static final LuaScript RENEW = LuaScript.of("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
			return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			""");

	/**
	 * Puts ARGV[2] for ARGV[3] ms, or deletes the value when ARGV[2] is empty; a put of a key with a
	 * queued write (field ARGV[4] of the hash KEYS[5], when given) deletes instead, as the queued write
	 * is the key's latest. Revokes any lease. Returns, for a put, 1 if it stored; for a delete, whether
	 * a value existed.
	 */
	private static final LuaScript WRITE = LuaScript.of("""
			local outcome
			if ARGV[2] ~= '' and not (KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[4]) == 1) then
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			  outcome = 1
			else
			  outcome = redis.call('DEL', KEYS[1])
			  if ARGV[2] ~= '' then outcome = 0 end
			end
			redis.call('DEL', KEYS[2])
			""" + WAKE_WAITERS + WriteIntents.OVERLAP + """
			return outcome
			""");

	private static final LuaScript REVOKE = LuaScript.of("""
			redis.call('DEL', KEYS[2])
			""" + WAKE_WAITERS + """
			return 1
			""");

	private static final LuaScript WRITE_IF_ABSENT = LuaScript.of("""
			local value = redis.call('GET', KEYS[1])
			if value then return value end
			redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			redis.call('DEL', KEYS[2])
			""" + WAKE_WAITERS + WriteIntents.OVERLAP + """
			return false
			""");

	private static final long FOUND = 1;

	private static final long ACQUIRED = 2;

	private static final long OPEN = 4;

	private static final long PENDING = 5;

	private static final long STORE_WRITTEN = 1;

	private static final long STORE_PENDING = 2;

	/** How long a key stays open after a load that stored nothing, for the callers that waited on it. */
	private static final long OPEN_MILLIS = 1000;

	private static final byte[] NO_HEADER = new byte[0];

	private final RemoteCommands redis;

	private final byte[] channel;

	private final String instanceId;

	private final AtomicLong tokens = new AtomicLong();

	private final ScheduledExecutorService renewals;

	/** Held leases and when each was taken and last renewed. */
	private final Map<Lease, Holding> held = new ConcurrentHashMap<>();

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
		this.renewals = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-lease-renewal"));
		long tick = Math.max(1, shortestLease.toMillis() / 4);
		this.renewals.scheduleAtFixedRate(this::renewDue, tick, tick, TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads the value, or takes the lease if the value is absent and nobody holds it, atomically.
	 * @param unreadable the first bytes of a stored value the caller could not read (it then takes the
	 * lease as if the value were absent, to replace it), or {@code null}
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @return the outcome; {@link Acquisition.Pending} if a write of the key is pending and no value is
	 * stored (or the stored one is to be replaced); {@link Acquisition.Unknown} if Redis did not answer
	 * in time
	 */
	public Acquisition readOrAcquire(EntryKeys keys, long leaseMillis, long maxHoldMillis,
			byte @Nullable [] unreadable, long deadline) {
		byte[] token = (this.instanceId + ':' + this.tokens.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
		Lease lease = new Lease(keys, token, leaseMillis, maxHoldMillis);
		List<Object> reply;
		try {
			reply = this.redis.eval(deadline, READ_OR_ACQUIRE, ScriptOutputType.MULTI, guarded(keys),
					withPendingField(keys, token, ascii(leaseMillis), (unreadable != null) ? unreadable : NO_HEADER));
		}
		catch (RemoteCallException ex) {
			return new Acquisition.Unknown(lease, ex);
		}
		if (reply == null || reply.isEmpty()) {
			throw new IllegalStateException("Lease script returned no reply");
		}
		long outcome = (Long) reply.get(0);
		if (outcome == FOUND) {
			return new Acquisition.Found((byte[]) reply.get(1));
		}
		if (outcome == PENDING) {
			return new Acquisition.Pending((byte[]) reply.get(1));
		}
		if (outcome == ACQUIRED) {
			long now = System.nanoTime();
			this.held.put(lease, new Holding(now, now));
			return new Acquisition.Acquired(lease);
		}
		if (outcome == OPEN) {
			return new Acquisition.Open();
		}
		long remaining = (Long) reply.get(1);
		return new Acquisition.Held((remaining > 0) ? remaining : 0);
	}

	/**
	 * Takes the lease if nobody holds it, whether a value is stored or not: to reload a value in the
	 * background while readers go on reading the stored one.
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @return {@link Acquisition.Acquired} (renewed until released), {@link Acquisition.Held} if another
	 * caller holds it or a write of the key is pending, or {@link Acquisition.Unknown} if Redis did not
	 * answer in time
	 */
	public Acquisition acquireIfFree(EntryKeys keys, long leaseMillis, long maxHoldMillis, long deadline) {
		byte[] token = (this.instanceId + ':' + this.tokens.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
		Lease lease = new Lease(keys, token, leaseMillis, maxHoldMillis);
		Long taken;
		try {
			taken = this.redis.eval(deadline, ACQUIRE_IF_FREE, ScriptOutputType.INTEGER, guarded(keys),
					withPendingField(keys, token, ascii(leaseMillis)));
		}
		catch (RemoteCallException ex) {
			return new Acquisition.Unknown(lease, ex);
		}
		if (taken == null || taken != 1) {
			return new Acquisition.Held(0);
		}
		long now = System.nanoTime();
		this.held.put(lease, new Holding(now, now));
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
		stopRenewing(lease);
		EntryKeys keys = lease.keys();
		Long outcome = this.redis.eval(deadline, STORE_IF_HELD, ScriptOutputType.INTEGER, guarded(keys),
				withPendingField(keys, this.channel, lease.token(), framedValue, ascii(ttlMillis)));
		if (outcome != null && outcome == STORE_WRITTEN) {
			return StoreResult.STORED;
		}
		return (outcome != null && outcome == STORE_PENDING) ? StoreResult.PENDING : StoreResult.LOST;
	}

	/**
	 * Releases the lease without storing anything; if callers wait for it, the key is left open for a
	 * moment so that they all load at once instead of taking the lease one after another.
	 * @param deadline when to stop waiting for Redis at the latest ({@link RemoteCommands#deadline()})
	 * @throws RemoteCallException if Redis fails or does not answer in time (release it later)
	 */
	public void releaseUnstored(Lease lease, long deadline) {
		stopRenewing(lease);
		this.redis.eval(deadline, RELEASE_OPEN, ScriptOutputType.INTEGER, all(lease.keys()), this.channel, lease.token(),
				ascii(OPEN_MILLIS));
	}

	/**
	 * Releases the lease if it is still held, waking waiters so that one of them loads. Safe to call
	 * for a lease that lapsed or was never taken.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public void release(Lease lease) {
		stopRenewing(lease);
		this.redis.eval(RELEASE, ScriptOutputType.INTEGER, all(lease.keys()), this.channel, lease.token());
	}

	/**
	 * Writes a value (or deletes it when {@code framedValue} is {@code null}) and revokes any lease
	 * on the key. A value is not written over a write of the key queued for the backing store (the
	 * key is deleted instead; readers get the queued write).
	 * @return for a delete, whether a value existed; for a write, whether it was stored
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public boolean write(EntryKeys entry, byte @Nullable [] framedValue, long ttlMillis) {
		Long outcome = this.redis.eval(WRITE, ScriptOutputType.INTEGER, guarded(entry), withPendingField(entry,
				this.channel, (framedValue != null) ? framedValue : NO_HEADER, ascii(ttlMillis)));
		return outcome != null && outcome > 0;
	}

	/**
	 * Revokes any lease on the key without touching its value, so that a load in progress cannot store
	 * its result; waiters are woken to read or load again.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public void revoke(EntryKeys entry) {
		this.redis.eval(REVOKE, ScriptOutputType.INTEGER, all(entry), this.channel);
	}

	/**
	 * Writes a value unless one is stored, revoking any lease when it writes.
	 * @return the framed value already stored, or {@code null} if this call wrote
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public byte @Nullable [] writeIfAbsent(EntryKeys keys, byte[] framedValue, long ttlMillis) {
		return this.redis.eval(WRITE_IF_ABSENT, ScriptOutputType.VALUE, all(keys), this.channel, framedValue,
				ascii(ttlMillis));
	}

	/**
	 * Renews every held lease that is a third of the way through its duration, and stops renewing
	 * those held for their maximum.
	 */
	private void renewDue() {
		long now = System.nanoTime();
		this.held.forEach((lease, holding) -> {
			if (now - holding.acquiredAt() >= TimeUnit.MILLISECONDS.toNanos(lease.maxHoldMillis())) {
				stopRenewing(lease);
			}
			else if (now - holding.renewedAt() >= TimeUnit.MILLISECONDS.toNanos(lease.leaseMillis()) / 3) {
				renew(lease, holding, now);
			}
		});
	}

	private void renew(Lease lease, Holding holding, long now) {
		try {
			Long renewed = this.redis.eval(RENEW, ScriptOutputType.INTEGER, new byte[][] { lease.keys().lock() },
					lease.token(), ascii(lease.leaseMillis()));
			if (renewed == null || renewed == 0) {
				stopRenewing(lease);
			}
			else {
				this.held.replace(lease, holding, new Holding(holding.acquiredAt(), now));
			}
		}
		catch (RemoteCallException ex) {
			logger.debug("Could not renew a Tiercache lease; it lapses unless a later renewal succeeds", ex);
		}
	}

	private void stopRenewing(Lease lease) {
		this.held.remove(lease);
	}

	/** How many leases this instance holds now. */
	public int heldCount() {
		return this.held.size();
	}

	/**
	 * Releases every lease held now, waking the callers that wait for them, so that they take over at
	 * once: for shutdown, while Redis can still be reached. The loads holding them go on, but cannot
	 * store their values. A lease Redis does not release lapses by itself.
	 */
	public void releaseAll() {
		for (Lease lease : List.copyOf(this.held.keySet())) {
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
		this.renewals.shutdownNow();
		releaseAll();
	}

	/** When a lease was taken and last renewed ({@link System#nanoTime()}). */
	private record Holding(long acquiredAt, long renewedAt) {
	}

	static byte[][] all(EntryKeys keys) {
		return new byte[][] { keys.value(), keys.lock(), keys.waiters(), keys.intents() };
	}

	/** The entry's keys, and the hash of its pending write when its cache queues writes. */
	static byte[][] guarded(EntryKeys keys) {
		EntryKeys.Pending pending = keys.pending();
		return (pending != null)
				? new byte[][] { keys.value(), keys.lock(), keys.waiters(), keys.intents(), pending.hash() } : all(keys);
	}

	/** The arguments, then the field of the entry's pending write when its cache queues writes. */
	static byte[][] withPendingField(EntryKeys keys, byte[]... arguments) {
		EntryKeys.Pending pending = keys.pending();
		if (pending == null) {
			return arguments;
		}
		byte[][] all = Arrays.copyOf(arguments, arguments.length + 1);
		all[arguments.length] = pending.field();
		return all;
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

	static byte[] ascii(long number) {
		return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
	}

}
