package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.coherence.TagVersions;
import dev.tiercache.coherence.WriteTokens;

/**
 * The L1 tier of one cache: a size-bounded Caffeine cache of decoded values, each entry with its own
 * deadline (never later than the Redis entry it mirrors), checked on read against a
 * {@link CoarseClock}. Caffeine's own time-based expiry is not used, since its bookkeeping on every
 * read costs more than the rest of a hit.
 *
 * <p><b>Stamps: writes win over reads in flight.</b> Every write this instance makes ({@link #put},
 * {@link #putWritten}, {@link #evict}, {@link #revoke}, {@link #clear}) and every change reported to it
 * ({@link #invalidate}) moves the key's {@linkplain Stamps stamp} (striped, so unrelated keys may share
 * one; a clear moves all). A reader takes a {@link #stamp} before it reads Redis or runs a loader,
 * and {@link #fill} stores its value only if nothing was written or reported since; the check and the
 * store are one atomic step on the key. A clear's sweep and a report's lookup do not see a key while it
 * is being added, so every store reads the key's stamp again once its entry is in. So a value fetched
 * before a {@code put} or {@code evict} completed never replaces it ({@code LocalTierTests}:
 * {@code putWinsOverARedisReadInFlight}, {@code evictWinsOverARedisReadInFlight},
 * {@code clearRevokesLoadsInFlightInBothTiers}; every kind of store against every kind of change, under
 * a model checker: {@code LocalTierStampsModelCheckTests}).
 *
 * <p><b>Suspects: what this instance wrote stays while it is checked.</b> A value this instance wrote
 * to Redis goes to L1, with a stamp taken before that write: by {@link #putWritten} (a put, a queued
 * write) always, by {@link #fillWritten} (a load's store, stamped before the load) unless this instance
 * wrote the key since. A write of the key made here or reported since that stamp, or a report while
 * the entry is resident, may be the write's own echo (Redis reports a connection's script writes back
 * to it before 7.2, and writes made on another connection always), or another write that Redis ordered
 * before or after it; the entry then stays as a {@link SuspectEntry} until a check of Redis settles
 * ({@link dev.tiercache.coherence.L1Coherence#check}), and leaves unless Redis still holds the bytes
 * it was written as. So the writer's next read is an L1 hit, and a value Redis no longer holds does
 * not outlive the check
 * ({@code LocalTierInvalidationTests}; {@code LocalTierCoherenceTests}:
 * {@code anInstancesOwnWriteIsInItsL1TheMomentTheWriteReturns},
 * {@code aLoadedValueIsInItsInstancesL1WhenTheLoadReturnsThoughAReportOfItsKeyCameFirst},
 * {@code twoThreadsPuttingOneKeyLeaveNoValueInL1ThatRedisReplaced},
 * {@code aWriteThatReachesL1AfterANewerWritesReportDoesNotStayThere}).
 *
 * <p><b>Types: a value is given only to callers it was decoded for</b> ({@link LocalEntry}).
 *
 * <p><b>Keys as Redis names them.</b> A tier that mirrors Redis knows each key by the name Redis gives
 * it ({@link RenderedKeys}): its stamp's stripe is chosen by that name, and resident entries are indexed
 * by it. So an invalidation that names only the Redis key ({@link #invalidate}) removes the entry and
 * stops reads of it in flight, like an {@code evict}. A tier without Redis stripes by the key's own hash
 * and keeps no index.
 *
 * <p>Caffeine's maintenance (eviction, buffer draining) runs on the calling threads, amortized, not on
 * the common fork-join pool: handing it to another thread on every write cost more than the work
 * (measured with the write-behind enqueue benchmark), and the L1-hit benchmark did not move.
 *
 * <p>Thread-safe; a hit allocates nothing and reads no system clock.
 */
final class LocalTier {

	private final Cache<Object, LocalEntry> entries;

	private final CoarseClock clock;

	/** What was written, reported and cleared, for stores to check against. */
	private final Stamps stamps;

	/** The keys as Redis names them, and the resident entries by that name. */
	private final RenderedKeys names;

	private final StatsRecorder stats;

	/** The versions of the cache's tags, which a tagged entry is checked against on every hit. */
	private final TagVersions tags;

	/**
	 * How many times {@link #get} looked a key up: counted only while assertions are enabled (in tests,
	 * which check how often a read looks at L1), so that a hit costs nothing more in production.
	 */
	private final LongAdder lookups = new LongAdder();

	/**
	 * @param renderer how Redis names a key, for a tier that mirrors Redis; {@code null} otherwise
	 * @param stats counts the entries dropped for room
	 * @param tags the versions of the cache's tags
	 */
	LocalTier(long maxSize, CoarseClock clock, @Nullable Function<Object, String> renderer, StatsRecorder stats,
			TagVersions tags) {
		this.entries = Caffeine.newBuilder()
			.maximumSize(maxSize)
			.executor(Runnable::run)
			.evictionListener(this::unindex)
			.build();
		this.clock = clock;
		this.stamps = new Stamps(clock);
		this.names = new RenderedKeys(renderer);
		this.stats = stats;
		this.tags = tags;
	}

	/**
	 * The live entry for the key, or {@code null}: an entry that expired, or that carries a tag invalidated
	 * since its value was read (or one whose version this instance has not verified), leaves.
	 */
	@Nullable LocalEntry get(Object key) {
		assert counted(this.lookups);
		LocalEntry entry = this.entries.getIfPresent(key);
		if (entry != null && (entry.deadlineNanos() - this.clock.read() <= 0
				|| (entry.tags() != null && !this.tags.freshLocally(entry.tags())))) {
			removeIfStill(key, entry);
			return null;
		}
		return entry;
	}

	/**
	 * A stamp of the writes made and the changes reported so far for the key, to hand to {@link #fill}
	 * and the like: its writes (and clears) in the high half, its reports in the low half. Three reads of
	 * volatile state; allocates nothing.
	 */
	long stamp(Object key) {
		return stamp(rendered(key), key);
	}

	/** Like {@link #stamp(Object)}, for a key already rendered as Redis names it (in a tier that mirrors Redis). */
	long stamp(@Nullable String rendered, Object key) {
		return this.stamps.of(key, rendered);
	}

	/**
	 * Whether nothing was written, reported or cleared for the key (or another key of its stripe) in the
	 * last {@code nanos}: a value read from a replica then predates no change this instance knows of, but
	 * for one the replica has not applied after that long.
	 */
	boolean quietFor(@Nullable String rendered, Object key, long nanos) {
		return this.stamps.quietFor(key, rendered, nanos);
	}

	/** Removes the key's entry if it is still {@code entry}. */
	private void removeIfStill(Object key, LocalEntry entry) {
		this.entries.asMap()
			.computeIfPresent(key, (k, current) -> (current == entry) ? this.names.replaced(k, current, null) : current);
	}

	/**
	 * Stores a value read or loaded after {@code stamp} was taken, unless the key was written or the
	 * tier cleared since.
	 * @param tags the entry's tags, or {@code null}
	 * @return whether the value was stored
	 */
	boolean fill(Object key, @Nullable String rendered, @Nullable Object value, long lifetimeMillis, long stamp,
			@Nullable EntryTags tags) {
		if (lifetimeMillis <= 0) {
			return false;
		}
		return storeUnlessChanged(key, rendered,
				newEntry(value, null, rendered, lifetimeMillis, WriteTokens.NONE, tags), stamp) == stamp;
	}

	/**
	 * Stores a value read from Redis as {@code framed} and decoded as {@code decodedAs}, with the tags its
	 * envelope held ({@code null} for none), like {@link #fill}. If a change to the key was reported since
	 * {@code stamp}, it may have been made before the read as well as after, so nothing is stored and the
	 * entry is returned, to be stored if Redis still holds {@code framed}.
	 * @return {@code null} if stored or not to be stored; otherwise what to {@link #refill} if Redis
	 * still holds {@code framed}
	 */
	@Nullable Refill fillRead(Object key, @Nullable String rendered, @Nullable Object value, Type decodedAs,
			long lifetimeMillis, long stamp, byte[] framed, @Nullable EntryTags tags) {
		if (lifetimeMillis <= 0) {
			return null;
		}
		LocalEntry entry = newEntry(value, decodedAs, rendered, lifetimeMillis, WriteTokens.NONE, tags);
		long found = storeUnlessChanged(key, rendered, entry, stamp);
		return (found == stamp) ? null : new Refill(key, entry, found, WriteTokens.of(framed));
	}

	/**
	 * Stores the entry if the key's stamp is still {@code stamp}, in one atomic step on the key. A clear or
	 * a reported change does not wait for that step while the key is absent (its removal does not see a key
	 * being added), so the stamp is read again once the entry is in: if it moved, the entry is taken out
	 * again (unless already replaced), and a clear or report after that read finds it and removes it
	 * ({@code LocalTierStampsModelCheckTests}).
	 * @return the stamp found: {@code stamp} if the entry was stored and stays
	 */
	private long storeUnlessChanged(Object key, @Nullable String rendered, LocalEntry entry, long stamp) {
		long[] found = new long[1];
		this.entries.asMap().compute(key, (k, current) -> {
			found[0] = stamp(rendered, k);
			return (found[0] == stamp) ? this.names.replaced(k, current, entry) : current;
		});
		if (found[0] != stamp) {
			return found[0];
		}
		long after = stamp(rendered, key);
		if (after != stamp) {
			removeIfStill(key, entry);
		}
		return after;
	}

	/**
	 * Stores a value written by this instance in a cache without Redis ({@code null} for a null marker),
	 * replacing what L1 holds; evicts if the lifetime is not positive.
	 * @param tags the entry's tags, or {@code null}
	 */
	void put(Object key, @Nullable Object value, long lifetimeMillis, @Nullable EntryTags tags) {
		String rendered = rendered(key);
		replace(key, rendered,
				(lifetimeMillis > 0) ? newEntry(value, null, rendered, lifetimeMillis, WriteTokens.NONE, tags) : null);
	}

	/**
	 * Stores a value this instance loaded and stored in Redis as {@code framed} under the key's lease,
	 * which {@code stamp} was taken before. If this instance wrote the key or cleared the tier since, that
	 * write is the newer one (a write before the store would have revoked the lease) and nothing is
	 * stored. If only a change was reported since, it may be the echo of this very store, an older change
	 * or a newer one: the entry is stored all the same, so that the next read is an L1 hit, and returned
	 * as a {@link SuspectEntry}, to be {@linkplain #evictIf evicted} unless Redis still holds {@code framed}. The
	 * stamp is read again once the entry is in ({@link #settle}).
	 * @return {@code null} if stored with nothing reported since, or not stored; otherwise the suspect
	 */
	@Nullable SuspectEntry fillWritten(Object key, @Nullable String rendered, @Nullable Object value, long lifetimeMillis,
			long stamp, byte[] framed) {
		if (lifetimeMillis <= 0) {
			return null;
		}
		LocalEntry entry = newEntry(value, null, rendered, lifetimeMillis, WriteTokens.of(framed),
				Envelope.tagsOf(framed));
		long[] found = new long[1];
		this.entries.asMap().compute(key, (k, current) -> {
			found[0] = stamp(rendered, k);
			return Stamps.writtenBetween(stamp, found[0]) ? current : this.names.replaced(k, current, entry);
		});
		return Stamps.writtenBetween(stamp, found[0]) ? null : settle(key, entry, found[0] != stamp, found[0]);
	}

	/**
	 * Settles an entry that a write of this instance has just put in, leaving the key's stamp at
	 * {@code stored}, by reading the stamp again: a clear or a report may have missed the entry while it was
	 * being added (see {@link #storeUnlessChanged}). If this instance wrote the key or cleared the tier since
	 * {@code stored}, the entry is taken out again (unless already replaced); if a change was reported since,
	 * or {@code changedBefore} the write, it stays as a suspect.
	 * @return the suspect, or {@code null} if the entry stays unchallenged or was taken out
	 */
	private @Nullable SuspectEntry settle(Object key, LocalEntry entry, boolean changedBefore, long stored) {
		long after = stamp(entry.rendered(), key);
		if (Stamps.writtenBetween(stored, after)) {
			removeIfStill(key, entry);
			return null;
		}
		return (changedBefore || after != stored) ? new SuspectEntry(this, key, entry) : null;
	}

	/**
	 * Stores a value this instance wrote to Redis as {@code framed} (a put, a queued write), replacing
	 * what L1 holds (evicting it if the lifetime is not positive), so that this instance's next read is an
	 * L1 hit; reads and loads in flight do not replace it. {@code stamp} was taken before the Redis write.
	 * If the key was written here or a change to it reported since, Redis may have ordered that change
	 * before this write or after it (a report may also be this very write, echoed): the entry is stored
	 * all the same and returned as a {@link SuspectEntry}, to be {@linkplain #evictIf evicted} unless Redis
	 * still holds {@code framed}. A clear or a write of the key here that comes once the entry is in takes it
	 * out again ({@link #settle}).
	 * @return {@code null} if nothing changed since {@code stamp}; otherwise the suspect
	 */
	@Nullable SuspectEntry putWritten(Object key, @Nullable String rendered, @Nullable Object value, long lifetimeMillis,
			long stamp, byte[] framed) {
		LocalEntry entry = (lifetimeMillis > 0)
				? newEntry(value, null, rendered, lifetimeMillis, WriteTokens.of(framed), Envelope.tagsOf(framed))
				: null;
		long[] stamps = replace(key, rendered, entry);
		boolean changedBefore = stamps[0] != stamp || stamps[1] != Stamps.afterOneWrite(stamps[0]);
		return (entry != null) ? settle(key, entry, changedBefore, stamps[1]) : null;
	}

	/**
	 * Replaces what L1 holds for the key by a write's entry ({@code null} to remove it), keeping reads in
	 * flight from storing theirs, in one atomic step on the key.
	 * @return the key's stamp just before the write, and just after it
	 */
	private long[] replace(Object key, @Nullable String rendered, @Nullable LocalEntry entry) {
		long[] stamps = new long[2];
		this.entries.asMap().compute(key, (k, current) -> {
			stamps[0] = stamp(rendered, k);
			this.stamps.written(k, rendered);
			stamps[1] = stamp(rendered, k);
			return this.names.replaced(k, current, entry);
		});
		return stamps;
	}

	/** Keeps reads and loads of the key already in flight from storing theirs, leaving the entry as it is. */
	void revoke(Object key) {
		String rendered = rendered(key);
		this.entries.asMap().compute(key, (k, current) -> {
			this.stamps.written(k, rendered);
			return current;
		});
	}

	/** Removes the key. @return whether a live entry was there */
	boolean evict(Object key) {
		String rendered = rendered(key);
		boolean[] present = new boolean[1];
		this.entries.asMap().compute(key, (k, current) -> {
			this.stamps.written(k, rendered);
			present[0] = current != null && current.deadlineNanos() - this.clock.read() > 0;
			return this.names.replaced(k, current, null);
		});
		return present[0];
	}

	/**
	 * A change to the key Redis names {@code rendered} was reported: reads of it already in flight do
	 * not store theirs, and the entry, if resident, is removed, like an {@link #evict} for callers that
	 * know the key only by that name. An entry this instance wrote stays, to be checked, when
	 * {@code checkable}: the report may be that very write, echoed. Allocates nothing when the key is
	 * not resident.
	 * @return the entry kept to be checked, or {@code null}; if it is not checked, {@link #evictIf} it
	 */
	@Nullable SuspectEntry invalidate(String rendered, boolean checkable) {
		this.stamps.reported(rendered);
		Object key = this.names.keyOf(rendered);
		if (key == null) {
			return null;
		}
		LocalEntry[] kept = new LocalEntry[1];
		this.entries.asMap().computeIfPresent(key, (k, current) -> {
			if (!rendered.equals(current.rendered())) {
				return current;
			}
			if (checkable && current.writeToken() != WriteTokens.NONE) {
				kept[0] = current;
				return current;
			}
			return this.names.replaced(k, current, null);
		});
		return (kept[0] != null) ? new SuspectEntry(this, key, kept[0]) : null;
	}

	/** Removes a suspect entry, if it is still resident, and keeps reads in flight from storing theirs. */
	void evictIf(SuspectEntry suspect) {
		this.entries.asMap().computeIfPresent(suspect.key(), (k, current) -> {
			if (current != suspect.entry()) {
				return current;
			}
			this.stamps.reported(k, current.rendered());
			return this.names.replaced(k, current, null);
		});
	}

	/**
	 * Puts in an entry a fill kept out, unless the key was written, invalidated or cleared since, or is
	 * resident; like {@link #storeUnlessChanged}, it reads the stamp again once the entry is in.
	 * @return whether it was put in and stays
	 */
	boolean refill(Refill refill) {
		boolean[] stored = new boolean[1];
		this.entries.asMap().compute(refill.key(), (k, current) -> {
			if (current != null || stamp(refill.entry().rendered(), k) != refill.stamp()) {
				return current;
			}
			stored[0] = true;
			return this.names.replaced(k, null, refill.entry());
		});
		if (stored[0] && stamp(refill.entry().rendered(), refill.key()) != refill.stamp()) {
			removeIfStill(refill.key(), refill.entry());
			return false;
		}
		return stored[0];
	}

	/** Removes every entry, and keeps reads already in flight from storing theirs. */
	void clear() {
		this.stamps.cleared();
		for (Object key : this.entries.asMap().keySet()) {
			this.entries.asMap().computeIfPresent(key, (k, current) -> this.names.replaced(k, current, null));
		}
	}

	/** How many lookups {@link #get} made, while assertions are enabled; 0 otherwise. */
	long lookups() {
		return this.lookups.sum();
	}

	private static boolean counted(LongAdder counter) {
		counter.increment();
		return true;
	}

	long size() {
		return this.entries.estimatedSize();
	}

	/**
	 * The key of a resident entry, found by its name (the key as Redis names it, for a tier that mirrors
	 * Redis; its {@code String.valueOf} otherwise); {@code null} if none is resident.
	 */
	@Nullable Object keyNamed(String name) {
		if (this.names.mirrorsRedis()) {
			return this.names.keyOf(name);
		}
		for (Object key : this.entries.asMap().keySet()) {
			if (String.valueOf(key).equals(name)) {
				return key;
			}
		}
		return null;
	}

	/**
	 * The names ({@link #keyNamed} finds keys by them) of the resident entries read most often lately,
	 * hottest first, as Caffeine's frequency sketch ranks them: it counts every read and halves its
	 * counts as they grow, so recent reads weigh most.
	 */
	List<String> hottest(int limit) {
		return this.entries.policy().eviction().map((eviction) -> eviction.hottest(limit)).orElse(Map.of())
			.entrySet().stream()
			.map((entry) -> (entry.getValue().rendered() != null) ? entry.getValue().rendered()
					: String.valueOf(entry.getKey()))
			.toList();
	}

	/** How many keys the rendered-key index holds: never more than the resident entries. */
	int indexed() {
		return this.names.size();
	}

	/**
	 * The key as Redis names it, in a tier that mirrors Redis; {@code null} otherwise. The fills and
	 * {@link #putWritten} take it from their caller, who rendered it once for the whole read or write.
	 */
	@Nullable String rendered(Object key) {
		return this.names.rendered(key);
	}

	private LocalEntry newEntry(@Nullable Object value, @Nullable Type decodedAs, @Nullable String rendered,
			long lifetimeMillis, long token, @Nullable EntryTags tags) {
		return new LocalEntry(value, decodedAs, rendered,
				this.clock.read() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis), token, tags);
	}

	/** Caffeine evicted an entry (size): count it and forget it in the index, within the same atomic step. */
	private void unindex(@Nullable Object key, @Nullable LocalEntry entry, RemovalCause cause) {
		this.stats.eviction();
		if (key != null && entry != null) {
			this.names.evicted(key, entry);
		}
	}

}
