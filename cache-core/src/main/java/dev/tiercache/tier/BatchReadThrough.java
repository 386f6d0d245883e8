package dev.tiercache.tier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.read.BatchLoader;
import dev.tiercache.internal.stampede.Acquisition;
import dev.tiercache.internal.stampede.Lease;
import dev.tiercache.internal.stampede.SingleFlight;
import dev.tiercache.tier.RemoteRead.Hit;
import dev.tiercache.tier.RemoteRead.Unreadable;

/**
 * The batch read-through of one cache, for keys that missed L1: one {@code MGET} for all of them, then
 * one call of the batch loader with only the keys Redis missed too. Each key keeps the guarantees of
 * {@link ReadThrough}: a key another thread of this JVM is reading is waited for through its single
 * flight (and the batch's own keys are waited for by that thread's readers in turn); a key whose lease
 * another instance holds is waited for, not loaded again; a loaded value is stored in Redis only while
 * the key's lease holds, and in L1 only if no write to the key happened since its stamp was taken. A
 * key the loader does not return is cached as {@code null}. On every way out (a value, the loader's
 * exception, an {@code Error}, an interrupt, Redis failing) each lease the batch took is stored under
 * or released and each single flight it began is ended.
 *
 * <p>Redis calls: one {@code MGET}, then for each key it missed one lease script to take the lease
 * and one to store under it, each with the whole Redis timeout. The loader gets the keys in the order
 * asked for. Read on their own after the batch's load, as single reads are (so loaded alone if need
 * be): keys whose lease another caller holds, whose entry is expired or cannot be read as the type
 * asked for, and every key of a cache that queues writes for its backing store. A key's single flight
 * ends as soon as its value is known. If the loader fails, the keys not yet read fail with it.
 * Thread-safe.
 */
final class BatchReadThrough {

	private final CacheContext cache;

	private final ReadThrough readThrough;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	private final @Nullable LoadLeases leases;

	private final StatsRecorder stats;

	BatchReadThrough(CacheContext cache, ReadThrough readThrough, @Nullable RemoteCache remote,
			@Nullable LoadLeases leases) {
		this.cache = cache;
		this.readThrough = readThrough;
		this.local = cache.local();
		this.remote = remote;
		this.leases = leases;
		this.stats = cache.stats();
	}

	/**
	 * Returns the values of keys that missed L1 (the caller looked, and counted the hits), loading in
	 * one call of {@code loader} those that Redis misses too.
	 * @param loads the reads of the keys, distinct, each with a loader of its key alone (for a key read
	 * on its own: one that another caller's load left to load, or a background reload)
	 * @return every key's value, {@code null} for a cached or loaded {@code null}
	 * @throws Throwable what the loader threw, unchanged
	 */
	Map<Object, @Nullable Object> readAll(List<Load> loads, BatchLoader loader) throws Throwable {
		Map<Object, @Nullable Object> values = new HashMap<>(loads.size() * 2);
		List<Slot> own = new ArrayList<>(loads.size());
		List<Load> joined = new ArrayList<>();
		Throwable failure = null;
		try {
			for (Load load : loads) {
				SingleFlight.Run run = this.readThrough.flights().begin(load.key());
				if (run != null) {
					if (this.local != null) {
						this.stats.localMiss();
					}
					own.add(new Slot(load, run));
				}
				else {
					joined.add(load);
				}
			}
			readOwn(own, loader);
		}
		catch (Throwable ex) {
			failure = ex;
			throw ex;
		}
		finally {
			for (Slot slot : own) {
				slot.end(failure);
				if (slot.done) {
					values.put(slot.load.key(), slot.value);
				}
			}
		}
		for (Load load : joined) {
			values.put(load.key(), this.readThrough.get(load));
		}
		return values;
	}

	/** Reads the keys whose single flights the batch holds: L1 after their stamps, Redis, then the loader. */
	private void readOwn(List<Slot> own, BatchLoader loader) throws Throwable {
		List<Slot> unresolved = new ArrayList<>(own.size());
		LocalTier tier = this.local;
		for (Slot slot : own) {
			Load load = slot.load;
			if (tier != null) {
				slot.stamp = tier.stamp(load.redisName(), load.key());
				LocalEntry entry = tier.get(load.key());
				if (entry != null && entry.readableAs(load.type(), load.rawType())) {
					slot.resolve(entry.value());
					continue;
				}
			}
			unresolved.add(slot);
		}
		if (unresolved.isEmpty()) {
			return;
		}
		RemoteCache l2 = this.remote;
		if (l2 == null) {
			loadAndKeep(unresolved, List.of(), unresolved, loader);
			return;
		}
		if (this.cache.pendingWrites() != null) {
			// a write queued for the backing store may be newer than what a batch would load: key by key
			for (Slot slot : unresolved) {
				readAlone(slot);
			}
			return;
		}
		readRemote(l2, unresolved, loader);
	}

	private void readRemote(RemoteCache l2, List<Slot> slots, BatchLoader loader) throws Throwable {
		LoadLeases leases = Objects.requireNonNull(this.leases, "no leases without Redis");
		List<RemoteKey> remoteKeys = new ArrayList<>(slots.size());
		for (Slot slot : slots) {
			slot.remoteKey = l2.keyOf(slot.load.key(), Objects.requireNonNull(slot.load.redisName()));
			remoteKeys.add(slot.remoteKey);
		}
		List<RemoteRead> reads = l2.readAll(remoteKeys, slots.get(0).load.type(), leases.deadline());
		List<Slot> leased = new ArrayList<>();
		List<Slot> unleased = new ArrayList<>();
		List<Slot> alone = new ArrayList<>();
		try {
			boolean answering = true;
			for (int i = 0; i < slots.size(); i++) {
				// once Redis failed or did not answer a claim, the keys left to claim load without asking it again
				answering = claim(l2, leases, slots.get(i), reads.get(i), answering, leased, unleased, alone);
			}
			loadAndKeep(slots, leased, unleased, loader);
		}
		finally {
			for (Slot slot : leased) {
				Lease lease = slot.lease;
				if (lease != null) {
					leases.releaseUnstored(lease, leases.deadline());
				}
			}
		}
		for (Slot slot : alone) {
			readAlone(slot);
		}
	}

	/** Reads one key of the batch as a single read does; its failure is its own. */
	private void readAlone(Slot slot) throws Throwable {
		slot.failsWithItsRead = true;
		slot.resolve(this.readThrough.readOnce(slot.load));
	}

	/**
	 * Serves a key from what the {@code MGET} read, or claims its lease: the key then joins the keys
	 * to load under their leases, those to load without one (Redis failed, the key is open), or those
	 * to read on their own (another caller holds the lease, or its value is one to reload).
	 * @param answering whether Redis has answered the batch's claims so far
	 * @return whether Redis has answered the batch's claims so far, this one included
	 */
	private boolean claim(RemoteCache l2, LoadLeases leases, Slot slot, RemoteRead read, boolean answering,
			List<Slot> leased, List<Slot> unleased, List<Slot> alone) {
		Load load = slot.load;
		RemoteKey remoteKey = Objects.requireNonNull(slot.remoteKey);
		if (read instanceof Hit hit) {
			Age age = Age.of(hit, load.settings().freshness());
			if (age != Age.EXPIRED) {
				slot.resolve(this.readThrough.serve(load, remoteKey, hit, age, slot.stamp));
			}
			else {
				alone.add(slot);
			}
			return answering;
		}
		if (!answering || read == RemoteRead.FAILED || !leases.claimable(remoteKey)) {
			unleased.add(slot);
			return answering;
		}
		if (read instanceof Unreadable) {
			alone.add(slot);
			return true;
		}
		Acquisition acquisition = leases.claim(remoteKey, null, leases.deadline());
		if (acquisition instanceof Acquisition.Unknown) {
			unleased.add(slot);
			return false;
		}
		if (acquisition instanceof Acquisition.Acquired acquired) {
			slot.lease = acquired.lease();
			leased.add(slot);
		}
		else if (acquisition instanceof Acquisition.Open) {
			unleased.add(slot);
		}
		else if (acquisition instanceof Acquisition.Found found
				&& l2.decode(remoteKey, load.type(), found.value()) instanceof Hit hit
				&& Age.of(hit, load.settings().freshness()) == Age.FRESH) {
			slot.resolve(this.readThrough.serve(load, remoteKey, hit, Age.FRESH, slot.stamp));
		}
		else {
			alone.add(slot);
		}
		return true;
	}

	/**
	 * Loads the keys in one call of the loader, in the order of {@code slots}, stores each under its
	 * lease (which releases it) and keeps the others in L1 only. Each Redis call has the whole Redis
	 * timeout: many calls one after another would leave the last ones none of a shared one. A lease not
	 * stored under is left for the caller to release.
	 */
	private void loadAndKeep(List<Slot> slots, List<Slot> leased, List<Slot> unleased, BatchLoader loader)
			throws Throwable {
		if (leased.isEmpty() && unleased.isEmpty()) {
			return;
		}
		leased.forEach((slot) -> slot.failsWithItsRead = true);
		unleased.forEach((slot) -> slot.failsWithItsRead = true);
		List<Object> keys = new ArrayList<>(leased.size() + unleased.size());
		for (Slot slot : slots) {
			if (slot.failsWithItsRead) {
				keys.add(slot.load.key());
			}
		}
		long loading = System.nanoTime();
		Map<?, ?> loaded = (Map<?, ?>) this.readThrough.loadInRoom(() -> loaded(loader.load(keys)), false);
		long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loading);
		RemoteCache l2 = this.remote;
		LoadLeases leases = this.leases;
		for (Slot slot : leased) {
			Object value = loaded.get(slot.load.key());
			Lease lease = Objects.requireNonNull(slot.lease);
			slot.lease = null;
			slot.resolve(this.readThrough.storeLoaded(Objects.requireNonNull(l2), lease, slot.load,
					Objects.requireNonNull(slot.remoteKey), slot.stamp, value, loadMillis,
					Objects.requireNonNull(leases).deadline(), System.nanoTime()));
		}
		for (Slot slot : unleased) {
			slot.resolve(this.readThrough.keepUnleased(slot.load, slot.stamp, loaded.get(slot.load.key())));
		}
	}

	private static Map<?, ?> loaded(@Nullable Map<?, ?> values) {
		return (values != null) ? values : Map.of();
	}

	/** One key whose single flight the batch holds, until it is ended with the key's value or the batch's failure. */
	private final class Slot {

		final Load load;

		final SingleFlight.Run run;

		long stamp;

		@Nullable RemoteKey remoteKey;

		@Nullable Lease lease;

		boolean done;

		@Nullable Object value;

		/** Whether the read under way, if it fails, is this key's own: the batch's load of it, or its read alone. */
		boolean failsWithItsRead;

		Slot(Load load, SingleFlight.Run run) {
			this.load = load;
			this.run = run;
		}

		/** The key's value is known: its single flight ends with it, and callers waiting for it go on. */
		void resolve(@Nullable Object value) {
			this.value = value;
			this.done = true;
			this.run.finish(new ReadThrough.Flown(value, this.load.type()));
		}

		/**
		 * Ends the key's single flight, if its value is not known: with the failure of its own read (the
		 * batch's load, or its read on its own), which the callers waiting for it share; or, after another
		 * key's failure, without an outcome, so that one of them reads the key itself.
		 */
		void end(@Nullable Throwable failure) {
			if (this.done) {
				return;
			}
			if (failure != null && this.failsWithItsRead) {
				this.run.fail(failure);
			}
			else {
				this.run.abandon();
			}
		}

	}

}
