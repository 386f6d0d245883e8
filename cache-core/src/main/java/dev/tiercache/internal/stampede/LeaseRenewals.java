package dev.tiercache.internal.stampede;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * The leases one {@link LeaseLocks} holds, each renewed while its load runs, for at most its maximum
 * hold.
 *
 * <p>Held leases are checked four times per shortest lease on one daemon thread; each is renewed once
 * a third of its own duration has passed since it was taken or last renewed, by a script that extends
 * it only for the holder of its token ({@link LeaseScripts#RENEW}). A lease Redis no longer holds for
 * that token (it lapsed, or a write revoked it) and one held for its maximum are renewed no more. A
 * failed renewal is tried again at the next check; the lease lapses unless one succeeds. Thread-safe.
 */
final class LeaseRenewals implements AutoCloseable {

	/** Logs as the leases it renews. */
	private static final Log logger = LogFactory.getLog(LeaseLocks.class);

	private final RemoteCommands redis;

	private final ScheduledExecutorService renewals;

	/** Held leases and when each was taken and last renewed. */
	private final Map<Lease, Holding> held = new ConcurrentHashMap<>();

	/**
	 * @param redis the Redis access
	 * @param shortestLease the shortest lease any caller will ask for: held leases are checked four times
	 * per such lease
	 */
	LeaseRenewals(RemoteCommands redis, Duration shortestLease) {
		this.redis = redis;
		this.renewals = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-lease-renewal"));
		long tick = Math.max(1, shortestLease.toMillis() / 4);
		this.renewals.scheduleAtFixedRate(this::renewDue, tick, tick, TimeUnit.MILLISECONDS);
	}

	/** Starts renewing a lease just taken. */
	void taken(Lease lease) {
		long now = System.nanoTime();
		this.held.put(lease, new Holding(now, now));
	}

	/** Stops renewing a lease: it was stored under, released, or is held no more. */
	void stop(Lease lease) {
		this.held.remove(lease);
	}

	/** How many leases are held now. */
	int count() {
		return this.held.size();
	}

	/** The leases held now. */
	List<Lease> leases() {
		return List.copyOf(this.held.keySet());
	}

	/**
	 * Renews every held lease that is a third of the way through its duration, and stops renewing
	 * those held for their maximum.
	 */
	private void renewDue() {
		long now = System.nanoTime();
		this.held.forEach((lease, holding) -> {
			if (now - holding.acquiredAt() >= TimeUnit.MILLISECONDS.toNanos(lease.maxHoldMillis())) {
				stop(lease);
			}
			else if (now - holding.renewedAt() >= TimeUnit.MILLISECONDS.toNanos(lease.leaseMillis()) / 3) {
				renew(lease, holding, now);
			}
		});
	}

	private void renew(Lease lease, Holding holding, long now) {
		try {
			Long renewed = this.redis.eval(LeaseScripts.RENEW, ScriptOutputType.INTEGER,
					new byte[][] { lease.keys().lock() }, lease.token(), LuaScript.number(lease.leaseMillis()));
			if (renewed == null || renewed == 0) {
				stop(lease);
			}
			else {
				this.held.replace(lease, holding, new Holding(holding.acquiredAt(), now));
			}
		}
		catch (RemoteCallException ex) {
			logger.debug("Could not renew a Tiercache lease; it lapses unless a later renewal succeeds", ex);
		}
	}

	/** Stops renewing; the leases still held stay {@linkplain #leases() listed}, to be released. */
	@Override
	public void close() {
		this.renewals.shutdownNow();
	}

	/** When a lease was taken and last renewed ({@link System#nanoTime()}). */
	private record Holding(long acquiredAt, long renewedAt) {
	}

}
