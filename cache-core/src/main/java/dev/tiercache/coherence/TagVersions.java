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
 * invalidations), {@link Tags} reads every version again each second. A read that a report overtook is
 * kept unverified, so a report is never lost to a read in flight, nor to this instance's own invalidation
 * of the tag in flight. A tag this instance is invalidating is pending until Redis takes the invalidation
 * (retried every second until it does): entries carrying it are stale here meanwhile. Versions only grow:
 * what was stale stays stale (a version that could not be read excepted). Without Redis (a cache of L1 only) the clock and the versions are this instance's
 * own. Thread-safe; {@link #freshLocally} allocates nothing.
 */
public final class TagVersions {

	/** The most tags one cache keeps versions of; beyond, all are forgotten and read again when needed. */
	static final int MAX_KNOWN = 100_000;

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
			if (version != null && version.staleFor(tags.stamp())) {
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
	 * call on, and stay so if Redis fails, until the invalidation is made ({@link #retryPending}, and every
	 * {@link Tags#READ_INTERVAL} in any case).
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails (the tag stays pending)
	 */
	public void invalidate(String tag) {
		use();
		Tags store = this.remote;
		if (store == null) {
			long version = this.clock.incrementAndGet();
			this.known.merge(tag, new Known(version, true, false, false), TagVersions::newer);
			return;
		}
		Known invalidating = Known.invalidating();
		this.known.put(tag, invalidating);
		confirm(store, tag, invalidating);
	}

	/**
	 * Makes an invalidation of the tag that Redis did not take, if one is still to be made; nothing otherwise
	 * (nor while another call makes it).
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails (the tag stays pending)
	 */
	public void retryPending(String tag) {
		Known failed = this.known.get(tag);
		Tags store = this.remote;
		if (store == null || failed == null || !failed.failed()) {
			return;
		}
		Known invalidating = Known.invalidating();
		boolean[] taken = new boolean[1];
		this.known.computeIfPresent(tag, (t, old) -> {
			taken[0] = old == failed;
			return taken[0] ? invalidating : old;
		});
		if (taken[0]) {
			confirm(store, tag, invalidating);
		}
	}

	/**
	 * Runs the invalidation that {@code invalidating} marks, then replaces the mark by the version Redis
	 * set, verified unless a change of the tag was reported meanwhile (another instance's invalidation, which
	 * Redis may have made after this one); another call's mark is left for that call to replace. If it fails,
	 * the mark becomes one to retry.
	 */
	private void confirm(Tags store, String tag, Known invalidating) {
		long reportsBefore = this.reports.get();
		long version;
		try {
			version = store.invalidate(this.cacheName, tag, this.clock.get());
		}
		catch (RuntimeException | Error ex) {
			this.known.computeIfPresent(tag, (t, old) -> (old == invalidating) ? Known.toRetry() : old);
			throw ex;
		}
		advance(version);
		this.known.compute(tag, (t, old) -> {
			if (old != null && old != invalidating && (old.pending() || old.invalidatedAt() >= version)) {
				return old;
			}
			return new Known(version, this.reports.get() == reportsBefore, false, false);
		});
	}

	/** The newer of two versions of a tag of a cache without Redis. */
	private static Known newer(Known one, Known other) {
		return (one.invalidatedAt() >= other.invalidatedAt()) ? one : other;
	}

	/** A change of the tag was reported: its version is read again before it is relied on. */
	void reported(String tag) {
		this.reports.incrementAndGet();
		this.known.computeIfPresent(tag, (t, version) -> version.pending() ? version
				: new Known(version.invalidatedAt(), false, false, false));
	}

	/** Changes may have been missed: every version is read again before it is relied on (pending tags stay). */
	void forgetAll() {
		this.reports.incrementAndGet();
		this.known.values().removeIf((version) -> !version.pending());
	}

	/**
	 * Makes the invalidations Redis did not take, then reads the clock again, and every known version too if
	 * {@code versions} (in batches), if the cache uses tags; moves the clock in Redis up to this instance's if
	 * it went below (the clock key was lost), so that invalidations stay newer than the stamps of entries
	 * stored before.
	 * @throws dev.tiercache.internal.redis.RemoteCallException if Redis fails
	 */
	void refresh(boolean versions) {
		Tags store = this.remote;
		if (store == null || !this.inUse) {
			return;
		}
		List<String> tags = new ArrayList<>();
		List<String> pending = new ArrayList<>();
		this.known.forEach((tag, version) -> {
			if (version.failed()) {
				pending.add(tag);
			}
			else if (versions) {
				tags.add(tag);
			}
		});
		for (String tag : pending) {
			retryPending(tag);
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
			// versions only grow, but for one that could not be read (Long.MAX_VALUE), which a new one replaces
			long newest = (old != null && old.invalidatedAt() != Long.MAX_VALUE)
					? Math.max(old.invalidatedAt(), version) : version;
			// one that could not be read is never trusted: it is read again at each check until it can be
			return new Known(newest, newest != Long.MAX_VALUE && this.reports.get() == reportsBefore, false, false);
		});
	}

	private void advance(long seen) {
		if (seen <= Tags.MAX_CLOCK) {
			this.clock.accumulateAndGet(seen, Math::max);
		}
	}

	/** Whether an invalidation of the tag by this instance is not taken by Redis yet (or still running). */
	boolean pending(String tag) {
		Known version = this.known.get(tag);
		return version != null && version.pending();
	}

	/** Whether this instance knows the tag's version and no change of it was reported since. */
	boolean verified(String tag) {
		Known version = this.known.get(tag);
		return version != null && version.verified() && !version.pending();
	}

	/**
	 * What this instance knows of one tag.
	 * @param invalidatedAt the cache's tag clock when the tag was last invalidated, 0 if never
	 * ({@code Long.MAX_VALUE} while this instance invalidates it, or for a version that could not be read)
	 * @param verified whether no change of the tag was reported since it was read
	 * @param pending whether this instance is invalidating it and Redis has not taken it yet
	 * @param failed whether that invalidation failed, and is to be made again
	 */
	private record Known(long invalidatedAt, boolean verified, boolean pending, boolean failed) {

		/** The mark of an invalidation being made. */
		static Known invalidating() {
			return new Known(Long.MAX_VALUE, true, true, false);
		}

		/** The mark of an invalidation Redis did not take. */
		static Known toRetry() {
			return new Known(Long.MAX_VALUE, true, true, true);
		}

		/**
		 * Whether an entry stamped {@code stamp} is stale by this, without reading Redis: versions only grow,
		 * so one newer than the stamp stays newer, unless it could not be read (a new one replaces it).
		 */
		boolean staleFor(long stamp) {
			return this.invalidatedAt > stamp && (this.verified || this.invalidatedAt != Long.MAX_VALUE);
		}

	}

}
