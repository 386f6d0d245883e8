package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.read.ValueLoader;
import dev.tiercache.internal.stampede.Acquisition;
import dev.tiercache.internal.stampede.Lease;
import dev.tiercache.internal.stampede.LoadNotifications;
import dev.tiercache.internal.stampede.SingleFlight;
import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.tier.RemoteRead.Hit;
import dev.tiercache.tier.RemoteRead.Unreadable;
import dev.tiercache.tracing.CacheTracer;

/**
 * The read-through of one cache: L1, then L2, then the loader, run once per key in this JVM (single
 * flight) and, with Redis, once across all instances (the key's lease).
 *
 * <p>Guarantees, on every path out of a load (a value, an exception, an {@code Error}, an interrupt,
 * a Redis timeout): the lease is released, or released in the background when Redis does not
 * answer; a load whose result will not be stored opens the key so that waiting callers load at once;
 * a value is stored in Redis only while its lease holds, and in L1 only if no write to the key
 * happened since the read began. No load, in the foreground or in the background (refresh-ahead,
 * early expiry, stale-while-revalidate), stores over a write queued for the backing store
 * ({@link PendingWrites}): while one is pending, a read that would load returns it instead; a key
 * whose latest queued write the cache cannot hold ({@link PendingWrites#UNCACHED}) is loaded without
 * its lease and stored nowhere. A waiter gives up after {@code lock.wait} and loads itself: a waiter
 * for another instance loads without the lease; a waiter for another thread of this JVM takes the
 * load over (see {@link #takeOver}), and later callers wait for it instead.
 *
 * <p>A read waits for Redis at most the Redis timeout in total, however many calls it makes (the time
 * spent waiting for another instance's load, or running the loader, is not counted): a call with no
 * time left fails at once and the read goes on as if Redis had failed. Thread-safe.
 */
final class ReadThrough {

	private static final long MAX_WAKE_UP_MILLIS = 500;

	/** How far {@link #remoteHitBalance} goes either way: as many reads of the other kind turn it. */
	private static final int BALANCE_BOUND = 32;

	private static final IntUnaryOperator ONE_MORE_HIT = (balance) -> Math.min(balance + 1, BALANCE_BOUND);

	private static final IntUnaryOperator ONE_MORE_MISS = (balance) -> Math.max(balance - 1, -BALANCE_BOUND);

	private final CacheContext cache;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	/** The leases of the cache's loads: present whenever {@link #remote} is. */
	private final @Nullable LoadLeases leases;

	private final LocalFills fills;

	private final StatsRecorder stats;

	private final SingleFlight flights;

	private final Executor refreshExecutor;

	/** Bounds this instance's loads of the cache. */
	private final LoadRoom room;

	/**
	 * Redis hits less misses among the latest reads that missed L1, within {@link #BALANCE_BOUND} either
	 * way: while hits prevail, a read begins with a plain {@code GET}, cheaper than a script for a hit (a
	 * load then takes three round trips); otherwise with the script that reads the value or takes the
	 * lease (a hit one round trip, a load two).
	 */
	private final AtomicInteger remoteHitBalance = new AtomicInteger();

	/** Keys being reloaded in the background by this JVM. */
	private final Set<Object> refreshing = ConcurrentHashMap.newKeySet();

	ReadThrough(CacheContext cache, @Nullable RemoteCache remote, @Nullable LoadLeases leases, LocalFills fills,
			Executor refreshExecutor, LoadLimits limits) {
		this.cache = cache;
		this.room = new LoadRoom(limits, cache.stats());
		this.local = cache.local();
		this.remote = remote;
		this.leases = leases;
		this.fills = fills;
		this.stats = cache.stats();
		this.flights = new SingleFlight(cache.toString(), cache.settings().lockWait(), new LocalWaits(this.stats));
		this.refreshExecutor = refreshExecutor;
	}

	private LoadLeases leases() {
		return Objects.requireNonNull(this.leases, "no leases without Redis");
	}

	/**
	 * Returns the value for a key that missed L1 (the caller looked, and counted a hit if it found
	 * one), loading it if Redis misses too. In the key's single flight, L1 is read once more, after the
	 * key's stamp is taken: another caller may have just filled it.
	 * @throws Throwable what the loader threw, unchanged
	 */
	@Nullable Object get(Load load) throws Throwable {
		if (this.local != null) {
			this.stats.localMiss();
		}
		Flown flown = (Flown) this.flights.execute(load.key(),
				(tookOver) -> new Flown(tookOver ? takeOver(load) : readOnce(load), load.type()));
		// a caller joining another caller's read of the same key as a type that reads otherwise reads for itself
		return Types.readableAs(flown.value(), flown.readAs(), load.type(), load.rawType()) ? flown.value()
				: readOnce(load);
	}

	/** A value read through, and the type it was read as, for the callers that join the read. */
	record Flown(@Nullable Object value, Type readAs) {
	}

	/** The single flights of this cache's keys in this JVM, which {@link BatchReadThrough} takes part in. */
	SingleFlight flights() {
		return this.flights;
	}

	/**
	 * Reads one key through, L1 once more included, by a caller that holds the key's single flight;
	 * see {@link #get}.
	 * @throws Throwable what the loader threw, unchanged
	 */
	@Nullable Object readOnce(Load load) throws Throwable {
		LocalTier tier = this.local;
		long stamp = 0;
		if (tier != null) {
			stamp = tier.stamp(load.redisName(), load.key());
			LocalEntry entry = tier.get(load.key());
			if (entry != null && entry.readableAs(load.type(), load.rawType())) {
				return entry.value();
			}
		}
		RemoteCache l2 = this.remote;
		String redisName = load.redisName();
		if (l2 == null || redisName == null) {
			return loadWithoutLease(load, stamp, false);
		}
		RemoteKey remoteKey = l2.keyOf(load.key(), redisName);
		long redisDeadline = leases().deadline();
		if (this.remoteHitBalance.get() <= 0 && l2.readsPrimary() && leases().claimable(remoteKey)) {
			// one script reads the value or takes the lease: a hit costs one round trip, a load two
			return loadUnderLease(l2, load, remoteKey, stamp, null, null, redisDeadline);
		}
		RemoteRead read = l2.read(remoteKey, load.type());
		if (read instanceof Hit || read == RemoteRead.ABSENT) {
			this.remoteHitBalance.getAndUpdate((read instanceof Hit) ? ONE_MORE_HIT : ONE_MORE_MISS);
		}
		Hit expired = null;
		if (read instanceof Hit hit) {
			Age age = Age.of(hit, load.settings().freshness());
			if (age != Age.EXPIRED) {
				return serve(load, remoteKey, hit, age, stamp);
			}
			expired = hit;
		}
		if (read == RemoteRead.FAILED) {
			return loadWithoutLease(load, stamp, false);
		}
		if (read == RemoteRead.UNCACHED) {
			// the backing store may not have the key's queued writes yet: what it holds is returned, kept nowhere
			return loadInRoom(load.loader(), false);
		}
		return loadUnderLease(l2, load, remoteKey, stamp, read, expired, redisDeadline);
	}

	/**
	 * Reads through after giving up, at {@code lock.wait}, on another thread's load of the key in this
	 * JVM (hung, say): that load's late result is kept out of L1 and, its lease revoked, out of Redis, so
	 * that it never replaces what this read finds or loads.
	 */
	private @Nullable Object takeOver(Load load) throws Throwable {
		LocalTier tier = this.local;
		if (tier != null) {
			tier.revoke(load.key());
		}
		RemoteCache l2 = this.remote;
		String redisName = load.redisName();
		if (l2 != null && redisName != null) {
			l2.revoke(l2.keyOf(load.key(), redisName));
		}
		return readOnce(load);
	}

	/** Serves an entry read from Redis that is not expired, reloading it in the background when it is due or stale. */
	@Nullable Object serve(Load load, RemoteKey remoteKey, Hit hit, Age age, long stamp) {
		if (age == Age.STALE) {
			this.stats.staleHit();
		}
		else {
			this.fills.fromRemote(remoteKey, load.type(), hit, stamp, load.settings());
		}
		if (age != Age.FRESH) {
			refreshInBackground(load);
		}
		return hit.value();
	}

	/** The first bytes of an entry, which identify it to the lease script as one to replace. */
	private static byte[] header(Hit hit) {
		return Arrays.copyOf(hit.framed(), Envelope.HEADER_SIZE);
	}

	/**
	 * Returns an expired entry in place of a load's exception while its fail-safe lasts (counted and
	 * logged); rethrows the failure otherwise, and always an {@code Error}.
	 */
	private @Nullable Object failSafe(Object key, @Nullable Hit expired, Freshness freshness, Throwable failure)
			throws Throwable {
		if (expired == null || failure instanceof Error
				|| System.currentTimeMillis() >= expired.softExpiresAt() + freshness.effectiveFailSafe().toMillis()) {
			throw failure;
		}
		this.cache.failSafeServed(key, failure);
		return expired.value();
	}

	/**
	 * Reloads the key on the refresh executor unless a reload of it is already running in this JVM; it
	 * takes the key's lease only if no other instance holds it. Never waits; a reload the executor
	 * cannot take is dropped and counted.
	 */
	private void refreshInBackground(Load load) {
		Object key = load.key();
		if (!this.refreshing.add(key)) {
			return;
		}
		try {
			this.refreshExecutor.execute(() -> {
				try {
					this.stats.refresh();
					refreshNow(load);
				}
				catch (Throwable ex) {
					this.cache.refreshFailed(key, ex);
				}
				finally {
					this.refreshing.remove(key);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.refreshing.remove(key);
			this.stats.refreshDropped();
		}
	}

	private void refreshNow(Load load) throws Throwable {
		LocalTier tier = this.local;
		long stamp = (tier != null) ? tier.stamp(load.redisName(), load.key()) : 0;
		RemoteCache l2 = this.remote;
		String redisName = load.redisName();
		if (l2 == null || redisName == null) {
			loadWithoutLease(load, stamp, true);
			return;
		}
		RemoteKey remoteKey = l2.keyOf(load.key(), redisName);
		Lease lease = leases().claimForRefresh(remoteKey);
		if (lease != null) {
			loadAndStore(l2, lease, load, remoteKey, stamp, leases().deadline(), true);
		}
	}

	/**
	 * Reads the value or claims the key's lease and loads under it, or waits for the holder's value.
	 * {@code redisDeadline} bounds the time spent waiting for Redis, moved on by the time spent waiting
	 * for the holder. A failure is answered by the newest expired entry seen while its fail-safe lasts.
	 * @param read what a plain read of the key found before, or {@code null} if none was made (the first
	 * claim then counts as the key's L2 read)
	 * @param expired an expired entry that read found, to be replaced
	 */
	private @Nullable Object loadUnderLease(RemoteCache l2, Load load, RemoteKey remoteKey, long stamp,
			@Nullable RemoteRead read, @Nullable Hit expired, long redisDeadline) throws Throwable {
		long deadline = System.nanoTime() + this.cache.settings().lockWait().toNanos();
		byte[] replace = (read instanceof Unreadable found) ? found.header()
				: (expired != null) ? header(expired) : null;
		Hit newestExpired = expired;
		boolean countMiss = read == null;
		long redisBy = redisDeadline;
		boolean waited = false;
		try (LoadNotifications.Waiter waiter = leases().awaitRelease(remoteKey)) {
			while (true) {
				Acquisition acquisition = leases().claim(remoteKey, replace, redisBy);
				if (acquisition instanceof Acquisition.Found found) {
					if (countMiss) {
						this.remoteHitBalance.getAndUpdate(ONE_MORE_HIT);
					}
					countMiss = false;
					RemoteRead decoded = l2.decode(remoteKey, load.type(), found.value());
					if (decoded instanceof Hit hit) {
						Age age = Age.of(hit, load.settings().freshness());
						if (age != Age.EXPIRED) {
							return serve(load, remoteKey, hit, age, stamp);
						}
						newestExpired = hit;
						replace = header(hit);
						continue;
					}
					replace = (decoded instanceof Unreadable other) ? other.header() : null;
					continue;
				}
				if (acquisition instanceof Acquisition.Pending pending) {
					if (countMiss && pending.value().length == 0) {
						// a queued write the cache cannot hold: read as a miss, as a plain read counts it
						this.stats.remoteMiss();
					}
					return servePending(l2, load, remoteKey, pending.value(), stamp);
				}
				if (countMiss && !(acquisition instanceof Acquisition.Unknown)) {
					this.stats.remoteMiss();
					this.remoteHitBalance.getAndUpdate(ONE_MORE_MISS);
				}
				countMiss = false;
				if (acquisition instanceof Acquisition.Acquired acquired) {
					return loadAndStore(l2, acquired.lease(), load, remoteKey, stamp, redisBy, false);
				}
				if (!(acquisition instanceof Acquisition.Held held)) {
					// open (the last load stored nothing) or unknown (Redis did not answer)
					return loadWithoutLease(load, stamp, false);
				}
				if (!waited) {
					this.stats.remoteWait();
					waited = true;
				}
				long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
				if (remainingMillis <= 0) {
					this.stats.lockTimeout();
					return loadWithoutLease(load, stamp, false);
				}
				long waitStarted = System.nanoTime();
				awaitWakeUp(waiter, Math.min(Math.min(held.remainingMillis() + 1, MAX_WAKE_UP_MILLIS), remainingMillis));
				long waitedNanos = System.nanoTime() - waitStarted;
				this.stats.remoteWaited(waitedNanos);
				redisBy += waitedNanos;
			}
		}
		catch (Throwable ex) {
			return failSafe(load.key(), newestExpired, load.settings().freshness(), ex);
		}
	}

	/**
	 * Serves a write of the key that is queued for the backing store, found instead of a lease: the
	 * newest value. One this caller cannot read (another type) leaves the loader's result, which is
	 * stored nowhere, as the only answer.
	 */
	private @Nullable Object servePending(RemoteCache l2, Load load, RemoteKey remoteKey, byte[] framed, long stamp)
			throws Throwable {
		if (l2.decodePending(remoteKey, load.type(), framed) instanceof Hit hit) {
			this.fills.fromRemote(remoteKey, load.type(), hit, stamp, load.settings());
			return hit.value();
		}
		return loadInRoom(load.loader(), false);
	}

	private void awaitWakeUp(LoadNotifications.Waiter waiter, long millis) {
		try {
			waiter.await(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(
					"Interrupted while waiting for another instance to load a key of " + this.cache, ex);
		}
	}

	/**
	 * Loads under a held lease and stores the value; {@code redisDeadline} bounds the time spent waiting
	 * for Redis, moved on by the time the loader and encoding took.
	 */
	private @Nullable Object loadAndStore(RemoteCache l2, Lease lease, Load load, RemoteKey remoteKey, long stamp,
			long redisDeadline, boolean background) throws Throwable {
		long started = System.nanoTime();
		Object value;
		long loadMillis;
		try {
			this.room.take(background);
			long loading = System.nanoTime();
			try {
				value = runLoader(load.loader(), loading);
			}
			finally {
				this.room.give();
			}
			loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loading);
		}
		catch (Throwable ex) {
			leases().releaseUnstored(lease, redisDeadline + (System.nanoTime() - started));
			throw ex;
		}
		return storeLoaded(l2, lease, load, remoteKey, stamp, value, loadMillis, redisDeadline, started);
	}

	/**
	 * Stores a value loaded under a held lease, releasing the lease on every way out, and keeps it in L1
	 * if stored: returns what the caller gets (a write queued meanwhile, if the cache queues writes).
	 * {@code redisDeadline} bounds the time spent waiting for Redis, moved on by the time since
	 * {@code started} (the load's start). What the load's {@code unless} rule throws reaches the caller.
	 */
	@Nullable Object storeLoaded(RemoteCache l2, Lease lease, Load load, RemoteKey remoteKey, long stamp,
			@Nullable Object value, long loadMillis, long redisDeadline, long started) {
		CacheSettings entrySettings = load.settings();
		long ttl = entrySettings.jitteredTtlMillis(value == null);
		byte[] framed;
		try {
			framed = (ttl > 0 && !load.excludes(value))
					? l2.frame(value, load.type(), ttl, loadMillis, load.tagsOf(value)) : null;
		}
		catch (Throwable ex) {
			leases().releaseUnstored(lease, redisDeadline + (System.nanoTime() - started));
			throw ex;
		}
		long redisBy = redisDeadline + (System.nanoTime() - started);
		if (framed == null) {
			leases().releaseUnstored(lease, redisBy);
			return value;
		}
		StoreOutcome stored = leases().store(lease, framed, entrySettings.redisTtlMillis(ttl), redisBy);
		if (stored == StoreOutcome.LOST) {
			this.stats.leaseLost();
			return value;
		}
		if (stored == StoreOutcome.PENDING) {
			// a write queued while this loaded (newer than what the loader read) is the answer
			return (l2.readPending(remoteKey, load.type()) instanceof Hit pending) ? pending.value() : value;
		}
		LocalTier tier = this.local;
		if (tier != null) {
			l2.check(remoteKey, tier.fillWritten(load.key(), remoteKey.rendered(), value,
					LocalFills.lifetime(ttl, entrySettings), stamp, framed));
		}
		return value;
	}

	/**
	 * Loads without the key's lease (Redis failed, the key is open, or the wait ran out) and keeps the
	 * value in L1 only; not in a cache that queues writes, where it could not tell whether a queued
	 * write is newer than what it loaded.
	 */
	private @Nullable Object loadWithoutLease(Load load, long stamp, boolean background) throws Throwable {
		return keepUnleased(load, stamp, loadInRoom(load.loader(), background));
	}

	/**
	 * Keeps a value loaded without the key's lease in L1 only, as {@link #loadWithoutLease} does, and
	 * returns it. What the load's {@code unless} rule throws reaches the caller.
	 */
	@Nullable Object keepUnleased(Load load, long stamp, @Nullable Object value) {
		LocalTier tier = this.local;
		if (tier != null && !load.excludes(value) && this.cache.pendingWrites() == null) {
			CacheSettings settings = load.settings();
			tier.fill(load.key(), load.redisName(), value,
					LocalFills.lifetime(settings.jitteredTtlMillis(value == null), settings), stamp,
					load.tagsOf(value));
		}
		return value;
	}

	/**
	 * Runs the loader within room in the cache's load bulkhead ({@link LoadRoom}), counting the load and
	 * its time from when it had room.
	 * @throws io.github.resilience4j.bulkhead.BulkheadFullException if there was no room
	 * @throws io.github.resilience4j.ratelimiter.RequestNotPermitted if the cache's new-key limit was reached
	 */
	@Nullable Object loadInRoom(ValueLoader loader, boolean background) throws Throwable {
		this.room.take(background);
		try {
			return runLoader(loader, System.nanoTime());
		}
		finally {
			this.room.give();
		}
	}

	/** Runs the loader, traced, counting the load and its time from {@code started}. */
	private @Nullable Object runLoader(ValueLoader loader, long started) throws Throwable {
		try {
			Object value = this.cache.tracer().trace(CacheTracer.Work.LOAD, this.cache.name(), loader::load);
			this.stats.load(System.nanoTime() - started, false);
			return value;
		}
		catch (Throwable ex) {
			this.stats.load(System.nanoTime() - started, true);
			throw ex;
		}
	}

}
