package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.Coherence;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.stampede.Acquisition;
import dev.tiercache.internal.stampede.Lease;
import dev.tiercache.internal.stampede.LeaseLocks;
import dev.tiercache.internal.stampede.LoadNotifications;
import dev.tiercache.tracing.CacheTracer.Work;

/**
 * The leases of one cache's loads in Redis: a caller that misses claims the key's lease (or finds the
 * value, or a pending write), loads, and stores under the lease, releasing it; the others wait for the
 * release. A lease whose fate is unknown (Redis did not answer in time) is released in the background
 * once Redis answers ({@link RemoteRepairs}), so none outlives its holder by more than its lease time;
 * while the manager shuts down, loads take none ({@link RedisRuntime#stopLeasing()}). Failures are
 * counted and logged through the cache's {@link CacheContext}, never thrown ({@code LoadLeasesTests}:
 * every way out of a load releases its lease). Thread-safe.
 */
final class LoadLeases {

	private final CacheContext cache;

	private final RedisRuntime redis;

	private final RemoteCommands commands;

	private final LeaseLocks leases;

	private final LoadNotifications notifications;

	private final RemoteRepairs repairs;

	private final Coherence publisher;

	LoadLeases(CacheContext cache, RedisRuntime redis) {
		this.cache = cache;
		this.redis = redis;
		this.commands = redis.commands();
		this.leases = redis.leases();
		this.notifications = redis.notifications();
		this.repairs = redis.repairs();
		this.publisher = redis.publisher();
	}

	/**
	 * Starts listening for the release of the key's lease, before claiming it, so that a release between
	 * the claim and the wait is not missed.
	 * @throws RemoteCallException if the key is not resolved
	 */
	LoadNotifications.Waiter awaitRelease(RemoteKey key) {
		return this.notifications.register(key.value());
	}

	/**
	 * A deadline for the Redis calls of one cache operation, which together wait at most the Redis
	 * timeout: see {@link RemoteCommands#deadline()}.
	 */
	long deadline() {
		return this.commands.deadline();
	}

	/**
	 * Whether a {@link #claim} of the key can take its lease: its namespace is known and the manager is
	 * not shutting down.
	 */
	boolean claimable(RemoteKey key) {
		return key.resolved() && this.redis.leasing();
	}

	/**
	 * Reads the value or takes the key's lease, atomically. If Redis does not answer by
	 * {@code deadline}, the lease the call may have taken is released in the background. While the
	 * manager is shutting down ({@link RedisRuntime#stopLeasing()}) the key reads as open: the caller
	 * loads without a lease.
	 * @param unreadable the header of a stored value the caller cannot read, to be replaced; or {@code null}
	 */
	Acquisition claim(RemoteKey key, byte @Nullable [] unreadable, long deadline) {
		if (!claimable(key)) {
			return new Acquisition.Open();
		}
		Lease lease = newLease(key);
		try {
			return this.cache.callRedis(Work.REDIS_LEASE, () -> this.leases.readOrAcquire(lease, unreadable, deadline));
		}
		catch (RemoteCallException ex) {
			return unknown(lease, ex);
		}
	}

	/**
	 * Takes the key's lease for a background reload if nobody holds it, whether a value is stored or
	 * not; if Redis does not answer in time, the lease the call may have taken is released in the
	 * background.
	 * @return the lease, or {@code null} if another caller holds it, a write of the key is pending (a
	 * reload would read older data), Redis failed, or the manager is shutting down
	 */
	@Nullable Lease claimForRefresh(RemoteKey key) {
		if (!key.resolved() || !this.redis.leasing()) {
			return null;
		}
		Lease lease = newLease(key);
		Acquisition acquisition;
		try {
			acquisition = this.cache.callRedis(Work.REDIS_LEASE, () -> this.leases.acquireIfFree(lease, deadline()));
		}
		catch (RemoteCallException ex) {
			acquisition = unknown(lease, ex);
		}
		return (acquisition instanceof Acquisition.Acquired acquired) ? acquired.lease() : null;
	}

	/** A new lease on the key, held for the cache's lease time and renewed for as long as callers wait. */
	private Lease newLease(RemoteKey key) {
		CacheSettings settings = this.cache.settings();
		long leaseMillis = settings.lockLease().toMillis();
		return this.leases.newLease(key.entry(), leaseMillis, Math.max(settings.lockWait().toMillis(), leaseMillis));
	}

	/**
	 * Counts an acquisition Redis did not answer in time, and releases the lease it may have taken: none
	 * if the call was never sent (the breaker open, no connection), as during an outage every read's is.
	 */
	private Acquisition unknown(Lease lease, RemoteCallException failure) {
		if (failure.maybeRan()) {
			releaseLater(lease, false);
		}
		this.cache.remoteFailed(failure);
		return new Acquisition.Unknown(lease, failure);
	}

	/**
	 * Stores a loaded value if the lease still holds and no write of the key is pending, releasing the
	 * lease.
	 * @return whether it was stored; {@link StoreOutcome#UNKNOWN} when Redis did not answer by
	 * {@code deadline} (the lease is then released in the background)
	 */
	StoreOutcome store(Lease lease, byte[] framed, long ttlMillis, long deadline) {
		try {
			return switch (this.cache.callRedis(Work.REDIS_STORE,
					() -> this.leases.storeAndRelease(lease, framed, ttlMillis, deadline))) {
				case LOST -> StoreOutcome.LOST;
				case PENDING -> StoreOutcome.PENDING;
				case STORED -> {
					this.publisher.publish(lease.keys().value());
					yield StoreOutcome.STORED;
				}
			};
		}
		catch (RemoteCallException ex) {
			releaseLater(lease, false);
			this.cache.remoteFailed(ex);
			return StoreOutcome.UNKNOWN;
		}
	}

	/**
	 * Releases a lease whose load stores nothing, opening the key to waiting callers; in the
	 * background if Redis does not answer by {@code deadline} (or the thread is interrupted).
	 */
	void releaseUnstored(Lease lease, long deadline) {
		try {
			this.cache.runRedis(Work.REDIS_RELEASE, () -> this.leases.releaseUnstored(lease, deadline));
		}
		catch (RemoteCallException ex) {
			releaseLater(lease, true);
			this.cache.remoteFailed(ex);
		}
	}

	private void releaseLater(Lease lease, boolean open) {
		this.repairs.add(lease, this.cache, () -> {
			if (open) {
				this.leases.releaseUnstored(lease, this.commands.deadline());
			}
			else {
				this.leases.release(lease);
			}
		});
	}

}
