package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * Checks a history against the guarantees. Each write writes a version unique to it, so a read's
 * answer names the write it saw, and the database's audit log orders the writes that reached a row.
 * A version is <em>older</em> than a write {@code w} if the row took it before {@code w}'s version, or if
 * its write was acknowledged before {@code w} began (real-time order; this also orders the versions a
 * coalesced write-behind never applied). Indeterminate calls (failed, or cut off by a kill) may or may
 * not have taken effect, so their versions are valid answers but never oblige a read to see them.
 *
 * <ol>
 * <li><b>Freshness.</b> A read that begins more than the key's bound after a write was acknowledged
 * returns nothing older than it. A read that begins inside a fault window (stretched by the bound
 * before it and, unless the fault is healed at once, the recovery time after it) is held only to writes
 * acknowledged before the fault, and,
 * when the fault hides queued writes from reads (Redis unreachable, or queued writes refused), not to
 * write-behind calls, and when it kills an instance, not to that instance's writes (a cache delete it
 * still owed is lost with it). Faults that only slow something down (loaders, the write-behind writer,
 * jitter) open no window: reads are held to the bound throughout. A stale read that Spring's stale-set
 * race explains is excused, and counted as such (a documented limit): a plain {@code @Cacheable} read
 * (named {@code read-cacheable}) loads without a lease and puts what it loaded, so a version it
 * returned may be put after every newer write that began before the put, and be read until the entry
 * expires, as long as that read began before the newer write was acknowledged. Never for a
 * write-behind call: a put does not land over a queued call's value.</li>
 * <li><b>Convergence.</b> The reads made after the quiet period return the row's final version.</li>
 * <li><b>Write-behind.</b> Every acknowledged write-behind call reaches the row unless a write-behind call
 * of the key that did not precede it did (the queue applies a key's newest entry): an acknowledged one,
 * or, excused and counted, one that failed as possibly queued and was queued after all; a write-behind
 * call acknowledged before another began reaches the row first; and a re-application after a crash
 * never leaves an older version after a newer one.</li>
 * <li><b>No invented values.</b> A read returns the key's own row, at a version written to that key by
 * a write that had begun.</li>
 * </ol>
 * Stateless; thread-safe.
 */
public final class Checker {

	private final LongUnaryOperator freshnessBound;

	private static final String LEASELESS_LOAD = "read-cacheable";

	static final String WRITE_BEHIND = "write-behind";

	/** How a write-behind call that may have been queued fails, as the histories record it. */
	private static final String POSSIBLY_QUEUED = "WriteBehindUnavailableException: "
			+ "Tiercache cannot confirm that it queued";

	/** How many of a key's other calls a freshness violation shows, at most. */
	private static final int MAX_CALLS_SHOWN = 12;

	private final long recoveryNanos;

	private final long entryLifetimeNanos;

	/**
	 * @param freshnessBound a key's staleness bound outside faults, in nanoseconds
	 * @param recoveryNanos how long after a fault is healed staleness may last
	 * @param entryLifetimeNanos the longest a cached entry may be read after it was put (its TTL with
	 * jitter, plus any time it is served stale)
	 */
	public Checker(LongUnaryOperator freshnessBound, long recoveryNanos, long entryLifetimeNanos) {
		this.freshnessBound = freshnessBound;
		this.recoveryNanos = recoveryNanos;
		this.entryLifetimeNanos = entryLifetimeNanos;
	}

	public Verdict check(List<Call> calls, List<Applied> appliedLog, Map<Long, Long> finalVersions,
			List<FaultWindow> windows) {
		Map<Long, KeyHistory> keys = index(calls, appliedLog);
		Staleness staleness = new Staleness();
		List<CheckResult> results = List.of(freshness(calls, keys, windows, staleness), convergence(calls, keys, finalVersions),
				writeBehind(calls, keys), noInventedValues(calls, keys));
		return new Verdict(results, staleness.summary());
	}

	private static Map<Long, KeyHistory> index(List<Call> calls, List<Applied> appliedLog) {
		Map<Long, KeyHistory> keys = new HashMap<>();
		for (Call call : calls) {
			if (call.isWrite()) {
				keys.computeIfAbsent(call.key(), (key) -> new KeyHistory()).addWrite(call);
			}
			else if (call.isRead() && call.name().equals(LEASELESS_LOAD)) {
				keys.computeIfAbsent(call.key(), (key) -> new KeyHistory()).addLeaselessLoad(call);
			}
		}
		for (Applied applied : appliedLog) {
			keys.computeIfAbsent(applied.key(), (key) -> new KeyHistory()).addApplied(applied.version());
		}
		keys.values().forEach(KeyHistory::seal);
		return keys;
	}

	private CheckResult freshness(List<Call> calls, Map<Long, KeyHistory> keys, List<FaultWindow> windows,
			Staleness staleness) {
		Verdicts verdicts = new Verdicts("freshness", "outside faults, a read that begins more than the bound after "
				+ "a write was acknowledged never returns an older version; inside a fault window, only writes "
				+ "acknowledged before the fault bind it, until the recovery time after the fault is healed");
		for (Call read : calls) {
			if (!read.isRead() || !read.isOk() || read.read() == null) {
				continue;
			}
			KeyHistory key = keys.getOrDefault(read.key(), new KeyHistory());
			long version = read.read();
			if (!key.wasWritten(version)) {
				continue;
			}
			long bound = this.freshnessBound.applyAsLong(read.key());
			long cutoff = read.invokedAt() - bound;
			FaultWindow fault = faultAround(windows, read.invokedAt(), bound);
			if (fault != null) {
				cutoff = Math.min(cutoff, fault.start() - bound);
			}
			verdicts.checked();
			Call newer = newerAcknowledgedBefore(key, version, cutoff);
			if (newer != null && fault != null && ((fault.hidesQueuedWrites() && newer.name().equals(WRITE_BEHIND))
					|| fault.killed(newer.node()))) {
				newer = null;
			}
			if (newer != null && staleSet(key, version, read, cutoff, newer)) {
				verdicts.excused();
				newer = null;
			}
			if (newer != null) {
				List<@Nullable Call> shown = new ArrayList<>(List.of(newer));
				shown.add(key.writeOf(version));
				if (verdicts.keepsNextExample()) {
					shown.addAll(callsBetween(calls, read.key(), newer.invokedAt(), read, newer));
				}
				verdicts.violation("read returned " + version + ", older than a write acknowledged "
						+ (read.invokedAt() - newer.completedAt()) / 1_000_000 + " ms before the read began"
						+ ((fault != null) ? " (before the fault " + fault.kind() + " on " + fault.target() + ")" : "")
						+ "; then the key's other calls from the write's start to the read's",
						read, shown.toArray(Call[]::new));
			}
			if (fault == null) {
				staleness.record(read, newerAcknowledgedBefore(key, version, read.invokedAt()));
			}
		}
		return verdicts.result();
	}

	/**
	 * The calls of {@code key} other than {@code read} and {@code write}, invoked from {@code from} until
	 * {@code read} completed, in invocation order: at most {@value #MAX_CALLS_SHOWN}.
	 */
	private static List<Call> callsBetween(List<Call> calls, long key, long from, Call read, Call write) {
		return calls.stream()
			.filter((call) -> call.key() == key && call != read && call != write && call.invokedAt() >= from
					&& call.invokedAt() <= read.completedAt())
			.sorted(Comparator.comparingLong(Call::invokedAt))
			.limit(MAX_CALLS_SHOWN)
			.toList();
	}

	/**
	 * Whether Spring's stale-set race explains the read: a plain {@code @Cacheable} read that returned
	 * the version began before the first newer write was acknowledged (so it may have loaded the row
	 * before that write), and completed (put it) before this read began, within the entry's lifetime,
	 * and after every write acknowledged before {@code cutoff} had begun, so that each of them may have
	 * updated the cache before that put. Never when one of those writes is a write-behind call: a put
	 * does not land over a queued value.
	 */
	private boolean staleSet(KeyHistory key, long version, Call read, long cutoff, Call firstNewer) {
		int count = key.acknowledgedBefore(cutoff);
		if (key.hasNewerWriteBehind(version, count)) {
			return false;
		}
		long lastWriteBegan = key.latestInvocation(count);
		for (Call load : key.leaselessLoadsOf(version)) {
			long putAt = load.completedAt();
			if (load.invokedAt() < firstNewer.completedAt() && putAt > lastWriteBegan && putAt <= read.invokedAt()
					&& read.invokedAt() - putAt <= this.entryLifetimeNanos) {
				return true;
			}
		}
		return false;
	}

	private @Nullable FaultWindow faultAround(List<FaultWindow> windows, long time, long bound) {
		for (FaultWindow window : windows) {
			long recovery = window.needsRecovery() ? this.recoveryNanos : 0;
			if (window.excusesStaleness() && time >= window.start() - bound && time <= window.end() + recovery) {
				return window;
			}
		}
		return null;
	}

	/** The first write acknowledged before {@code cutoff} that is newer than {@code version}, or {@code null}. */
	private static @Nullable Call newerAcknowledgedBefore(KeyHistory key, long version, long cutoff) {
		return key.firstNewer(version, key.acknowledgedBefore(cutoff));
	}

	private static CheckResult convergence(List<Call> calls, Map<Long, KeyHistory> keys, Map<Long, Long> finalVersions) {
		Verdicts verdicts = new Verdicts("convergence",
				"after the quiet period, every instance reads every key at the database's version");
		for (Call read : calls) {
			if (!read.isFinalRead()) {
				continue;
			}
			verdicts.checked();
			Long expected = finalVersions.get(read.key());
			if (!read.isOk() || read.read() == null || !read.read().equals(expected)) {
				KeyHistory key = keys.getOrDefault(read.key(), new KeyHistory());
				Call last = lastAcknowledged(key);
				verdicts.violation("instance " + read.node() + " read key " + read.key() + " at " + read.read()
						+ " after the quiet period; the database holds " + expected, read,
						(expected != null) ? key.writeOf(expected) : null, last);
			}
		}
		return verdicts.result();
	}

	private static @Nullable Call lastAcknowledged(KeyHistory key) {
		List<Call> acknowledged = key.acknowledged();
		return acknowledged.isEmpty() ? null : acknowledged.get(acknowledged.size() - 1);
	}

	private static CheckResult writeBehind(List<Call> calls, Map<Long, KeyHistory> keys) {
		Verdicts verdicts = new Verdicts("write-behind", "every acknowledged write-behind call reaches the database "
				+ "unless a later write-behind call of its key, acknowledged or failed as possibly queued, reached it "
				+ "(coalescing; the latter excused); calls of one key are applied in acknowledgement order, none older "
				+ "after a newer");
		for (KeyHistory key : keys.values()) {
			List<Call> queued = new ArrayList<>();
			for (Call write : key.acknowledged()) {
				if (write.name().equals(WRITE_BEHIND)) {
					queued.add(write);
				}
			}
			checkApplied(key, queued, verdicts);
			checkOrder(key, queued, verdicts);
		}
		return verdicts.result();
	}

	private static void checkApplied(KeyHistory key, List<Call> queued, Verdicts verdicts) {
		for (Call write : queued) {
			verdicts.checked();
			if (key.firstPosition(write.written()) != null) {
				continue;
			}
			Call superseding = null;
			for (Call other : key.writes()) {
				if (other != write && mayHaveBeenQueued(other) && other.completedAt() >= write.invokedAt()
						&& key.firstPosition(other.written()) != null
						&& (superseding == null || other.isOk())) {
					superseding = other;
				}
			}
			if (superseding == null) {
				verdicts.violation("acknowledged write-behind call of key " + write.key() + " never reached the database",
						write);
			}
			else if (!superseding.isOk()) {
				verdicts.excused();
			}
		}
	}

	/**
	 * Whether a call may have queued its entry: an acknowledged write-behind call, or one that failed as
	 * possibly queued. Not one refused as not queued, nor one whose process was killed (when it died
	 * is not known to the call).
	 */
	private static boolean mayHaveBeenQueued(Call call) {
		if (!call.name().equals(WRITE_BEHIND)) {
			return false;
		}
		String error = call.error();
		return call.isOk() || (call.outcome() == Call.Outcome.FAIL && error != null
				&& error.startsWith(POSSIBLY_QUEUED));
	}

	private static void checkOrder(KeyHistory key, List<Call> queued, Verdicts verdicts) {
		int predecessors = 0;
		Call latestFirst = null;
		Call latestLast = null;
		List<Call> byInvocation = new ArrayList<>(queued);
		byInvocation.sort(Comparator.comparingLong(Call::invokedAt));
		for (Call write : byInvocation) {
			while (predecessors < queued.size() && queued.get(predecessors).completedAt() < write.invokedAt()) {
				Call predecessor = queued.get(predecessors++);
				if (later(key.firstPosition(predecessor.written()), latestFirst, key, true)) {
					latestFirst = predecessor;
				}
				if (later(key.lastPosition(predecessor.written()), latestLast, key, false)) {
					latestLast = predecessor;
				}
			}
			Integer first = key.firstPosition(write.written());
			if (first == null) {
				continue;
			}
			if (latestFirst != null && key.firstPosition(latestFirst.written()) > first) {
				verdicts.violation("key " + write.key() + ": " + write.written() + " reached the database before "
						+ latestFirst.written() + ", acknowledged before it was called", latestFirst, write);
			}
			else if (latestLast != null && key.lastPosition(latestLast.written()) > first
					&& key.lastPosition(write.written()) < key.lastPosition(latestLast.written())) {
				verdicts.violation("key " + write.key() + ": " + latestLast.written() + " was applied again after "
						+ write.written() + " and left the row older", latestLast, write);
			}
		}
	}

	private static boolean later(@Nullable Integer position, @Nullable Call current, KeyHistory key, boolean first) {
		if (position == null) {
			return false;
		}
		if (current == null) {
			return true;
		}
		Integer currentPosition = first ? key.firstPosition(current.written()) : key.lastPosition(current.written());
		return currentPosition == null || position > currentPosition;
	}

	private static CheckResult noInventedValues(List<Call> calls, Map<Long, KeyHistory> keys) {
		Verdicts verdicts = new Verdicts("no invented values",
				"a read returns only a version written to its key, by a write that had begun, never another key's row");
		for (Call read : calls) {
			if (!read.isRead() || !read.isOk()) {
				continue;
			}
			verdicts.checked();
			Long version = read.read();
			KeyHistory key = keys.getOrDefault(read.key(), new KeyHistory());
			if (version == null) {
				verdicts.violation("read of key " + read.key() + " returned null; every row exists", read);
			}
			else if (read.readKey() != read.key()) {
				verdicts.violation("read of key " + read.key() + " returned the row of key " + read.readKey(), read);
			}
			else if (!key.wasWritten(version)) {
				verdicts.violation("read of key " + read.key() + " returned " + version + ", never written to it", read);
			}
			else {
				Call write = key.writeOf(version);
				if (write != null && write.invokedAt() > read.completedAt()) {
					verdicts.violation("read of key " + read.key() + " returned " + version + " before its write began",
							read, write);
				}
			}
		}
		return verdicts.result();
	}

}
