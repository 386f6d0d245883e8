package dev.tiercache.coherence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The tag versions of one cache as this instance knows them: for each tag, the cache's tag clock when it
 * was last invalidated; and the clock itself, the newest this instance saw.
 *
 * <p><b>An entry is fresh</b> while none of its tags was invalidated after its value was read: each
 * invalidation moves the cache's clock on in Redis and sets the tag to it, and an entry is stamped with
 * this instance's clock from before its value was read ({@link #stamp()}), which is never ahead of the
 * clock in Redis then; so an invalidation made once the read began sets its tag past the stamp, and one
 * made before it is at most the stamp when this instance knew of it (when it did not, the entry is
 * taken for stale once, and the clock learned). One invalidation is one script on two keys, whatever
 * carries the tag: entries are checked when read ({@link #fresh}), in L1 without Redis
 * ({@link #freshLocally}).
 *
 * <p><b>What this instance knows</b> of a tag is verified only while no change of the tag was reported
 * since it was read: a report ({@link #reported}) or a loss of reports ({@link #forgetAll}) makes it
 * unverified, and the next check reads it again; where reports can be lost unnoticed (published
 * invalidations), {@link Tags} reads every version again each second. A read that a report overtook is kept unverified, so a
 * report is never lost to a read in flight. A tag this instance is invalidating is pending until Redis
 * takes the invalidation: entries carrying it are stale here meanwhile. Versions only grow: what was
 * stale stays stale. Without Redis (a cache of L1 only) the clock and the versions are this instance's
 * own. Thread-safe; {@link #freshLocally} allocates nothing.
 */
public final class TagVersions {

	/** The most tags one cache keeps versions of; beyond, all are forgotten and read again when needed. */
	static final int MAX_KNOWN = 100_000;

	private static final Known PENDING = new Known(Long.MAX_VALUE, true, true);

	private final String cacheName;

	private final @Nullable Tags remote;

	private final Map<String, Known> known = new ConcurrentHashMap<>();

	private final AtomicLong clock = new AtomicLong();

	/** Counts reported changes and losses: a read installs its versions as verified only if none came meanwhile. */
	private final AtomicLong reports = new AtomicLong();

	/** Whether the cache uses tags on this instance: only then is what it knows read again periodically. */
	private volatile boolean inUse;

	/**
	 * @param cacheName the cache whose tags these are
	 * @param remote where the cache's tags are kept in Redis; {@code null} for a cache without Redis
	 */
	public TagVersions(String cacheName, @Nullable Tags remote) {
		this.cacheName = cacheName;
		this.remote = remote;
	}

	String cacheName() {
		return this.cacheName;
	}

	/** The cache's tag clock as this instance knows it, to stamp an entry with before its value is read. */
	public long stamp() {
		use();
		return this.clock.get();
	}

	private void use() {
		if (!this.inUse) {
			this.inUse = true;
		}
	}

	/**
	 * Whether an entry with these tags is fresh by what this instance knows and has verified; {@code false}
	 * also when a tag's version is not known (Redis then tells, through {@link #fresh}).
	 */
	public boolean freshLocally(EntryTags tags) {
		List<String> names = tags.names();
		for (int i = 0; i < names.size(); i++) {
			Known version = this.known.get(names.get(i));
			if (version == null) {
				if (this.remote != null) {
					return false;
				}
			}
			else if (!version.verified() || version.invalidatedAt() > tags.stamp()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether an entry with these tags is fresh: by what this instance knows, reading from Redis the
	 * versions it has not verified (in one call), and keeping them.
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails
	 */
	public boolean fresh(EntryTags tags) {
		List<String> unverified = null;
		for (String tag : tags.names()) {
			Known version = this.known.get(tag);
			if (version != null && version.invalidatedAt() > tags.stamp()) {
				return false;
			}
			if (version == null || !version.verified()) {
				unverified = (unverified != null) ? unverified : new ArrayList<>(tags.names().size());
				unverified.add(tag);
			}
		}
		Tags store = this.remote;
		if (unverified == null || store == null) {
			return true;
		}
		use();
		long[] read = readAndLearn(store, unverified);
		for (int i = 0; i < unverified.size(); i++) {
			if (read[i + 1] > tags.stamp()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Invalidates a tag: every entry carrying it, stored before now on any instance, is stale from now on
	 * (here at once; elsewhere when the change is reported). Entries carrying it are stale here from the
	 * call on, and stay so if Redis fails, until an {@code invalidate} of the tag succeeds.
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails (the tag stays pending)
	 */
	public void invalidate(String tag) {
		use();
		Tags store = this.remote;
		if (store == null) {
			long version = this.clock.incrementAndGet();
			this.known.put(tag, new Known(version, true, false));
			return;
		}
		this.known.put(tag, PENDING);
		long version = store.invalidate(this.cacheName, tag, this.clock.get());
		advance(version);
		this.known.compute(tag, (t, old) -> (old == null || old.pending() || old.invalidatedAt() < version)
				? new Known(version, true, false) : old);
	}

	/** A change of the tag was reported: its version is read again before it is relied on. */
	void reported(String tag) {
		this.reports.incrementAndGet();
		this.known.computeIfPresent(tag, (t, version) -> version.pending() ? version
				: new Known(version.invalidatedAt(), false, false));
	}

	/** Changes may have been missed: every version is read again before it is relied on (pending tags stay). */
	void forgetAll() {
		this.reports.incrementAndGet();
		this.known.values().removeIf((version) -> !version.pending());
	}

	/**
	 * Reads the clock again, and every known version too if {@code versions} (in batches), if the cache uses
	 * tags; moves the clock in Redis up to this instance's if it went below (the clock key was lost), so that
	 * invalidations stay newer than the stamps of entries stored before.
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails
	 */
	void refresh(boolean versions) {
		Tags store = this.remote;
		if (store == null || !this.inUse) {
			return;
		}
		List<String> tags = new ArrayList<>();
		if (versions) {
			this.known.forEach((tag, version) -> {
				if (!version.pending()) {
					tags.add(tag);
				}
			});
		}
		long floor = this.clock.get();
		long clockRead = -1;
		for (int from = 0; from < tags.size() || from == 0; from += Tags.READ_BATCH) {
			List<String> batch = tags.subList(from, Math.min(tags.size(), from + Tags.READ_BATCH));
			clockRead = readAndLearn(store, batch)[0];
		}
		if (clockRead < floor) {
			advance(store.forwardClock(this.cacheName, floor));
		}
	}

	private long[] readAndLearn(Tags store, List<String> tags) {
		long reportsBefore = this.reports.get();
		long[] read = store.read(this.cacheName, tags);
		advance(read[0]);
		for (int i = 0; i < tags.size(); i++) {
			learn(tags.get(i), read[i + 1], reportsBefore);
		}
		if (this.known.size() > MAX_KNOWN) {
			forgetAll();
		}
		return read;
	}

	/**
	 * Keeps a version read from Redis: verified only if no report came since the read began (checked in
	 * the same atomic step as the write, so a report that follows it unverifies it); never below what was
	 * known, and never over a pending invalidation.
	 */
	private void learn(String tag, long version, long reportsBefore) {
		advance(version);
		this.known.compute(tag, (t, old) -> {
			if (old != null && (old.pending() || (old.verified() && old.invalidatedAt() >= version))) {
				return old;
			}
			long newest = (old != null) ? Math.max(old.invalidatedAt(), version) : version;
			return new Known(newest, this.reports.get() == reportsBefore, false);
		});
	}

	private void advance(long seen) {
		if (seen != Long.MAX_VALUE) {
			this.clock.accumulateAndGet(seen, Math::max);
		}
	}

	/** How many tags this instance keeps versions of; for tests and the endpoint. */
	int knownTags() {
		return this.known.size();
	}

	/**
	 * What this instance knows of one tag.
	 * @param invalidatedAt the cache's tag clock when the tag was last invalidated, 0 if never
	 * @param verified whether no change of the tag was reported since it was read
	 * @param pending whether this instance is invalidating it and Redis has not taken it yet
	 */
	private record Known(long invalidatedAt, boolean verified, boolean pending) {
	}

}
