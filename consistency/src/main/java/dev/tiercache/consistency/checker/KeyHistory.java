package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What happened to one key: its writes, and where each version appears in the database's log of the
 * row's changes. Positions are indexes into that log (a version applied twice, after a crash, has a
 * first and a last position); the initial version 0 is at position -1.
 */
final class KeyHistory {

	static final long INITIAL = 0;

	private final Map<Long, Call> writes = new HashMap<>();

	private final Map<Long, Integer> firstPosition = new HashMap<>();

	private final Map<Long, Integer> lastPosition = new HashMap<>();

	private final List<Call> acknowledged = new ArrayList<>();

	private final Map<Long, List<Call>> leaselessLoads = new HashMap<>();

	private int applied;

	/** For each prefix of {@link #acknowledged}: the latest first position, and the latest invocation, in it. */
	private long[] latestPosition = new long[0];

	private long[] latestInvocation = new long[0];

	void addWrite(Call write) {
		this.writes.put(write.written(), write);
		if (write.isOk()) {
			this.acknowledged.add(write);
		}
	}

	/** Every write of the key, whatever its outcome. */
	Collection<Call> writes() {
		return this.writes.values();
	}

	/** A read that loads on a miss and puts what it loaded without a lease (plain {@code @Cacheable}). */
	void addLeaselessLoad(Call read) {
		Long version = read.read();
		if (read.isOk() && version != null) {
			this.leaselessLoads.computeIfAbsent(version, (v) -> new ArrayList<>()).add(read);
		}
	}

	/** Whether one of the first {@code count} acknowledged writes is a write-behind call newer than {@code version}. */
	boolean hasNewerWriteBehind(long version, int count) {
		Integer position = firstPosition(version);
		long acknowledgedAt = acknowledgedAt(version);
		for (int i = 0; i < count; i++) {
			Call write = this.acknowledged.get(i);
			if (write.name().equals(Checker.WRITE_BEHIND)) {
				Integer written = firstPosition(write.written());
				if ((position != null && written != null && written > position) || write.invokedAt() > acknowledgedAt) {
					return true;
				}
			}
		}
		return false;
	}

	/** The reads that may have loaded the version and put it without a lease. */
	List<Call> leaselessLoadsOf(long version) {
		return this.leaselessLoads.getOrDefault(version, List.of());
	}

	/** When the last of the first {@code count} acknowledged writes to begin began; {@link Long#MIN_VALUE} if none. */
	long latestInvocation(int count) {
		return (count > 0) ? this.latestInvocation[count - 1] : Long.MIN_VALUE;
	}

	void addApplied(long version) {
		this.firstPosition.putIfAbsent(version, this.applied);
		this.lastPosition.put(version, this.applied);
		this.applied++;
	}

	/** Sorts the acknowledged writes by acknowledgement; call once, after every write was added. */
	void seal() {
		this.acknowledged.sort(Comparator.comparingLong(Call::completedAt));
		int count = this.acknowledged.size();
		this.latestPosition = new long[count];
		this.latestInvocation = new long[count];
		long position = Long.MIN_VALUE;
		long invocation = Long.MIN_VALUE;
		for (int i = 0; i < count; i++) {
			Call write = this.acknowledged.get(i);
			Integer applied = this.firstPosition.get(write.written());
			position = Math.max(position, (applied != null) ? applied : Long.MIN_VALUE);
			invocation = Math.max(invocation, write.invokedAt());
			this.latestPosition[i] = position;
			this.latestInvocation[i] = invocation;
		}
	}

	/**
	 * The first of the first {@code count} acknowledged writes that is newer than {@code version}: its
	 * version came later in the row, or it began after {@code version}'s write was acknowledged.
	 * @return that write, or {@code null} if none is newer
	 */
	@Nullable Call firstNewer(long version, int count) {
		Integer position = firstPosition(version);
		long acknowledgedAt = acknowledgedAt(version);
		int byPosition = (position != null) ? firstAbove(this.latestPosition, position, count) : count;
		int byTime = firstAbove(this.latestInvocation, acknowledgedAt, count);
		int first = Math.min(byPosition, byTime);
		return (first < count) ? this.acknowledged.get(first) : null;
	}

	/** When the version's write was acknowledged: never for the initial version, and forever for an indeterminate one. */
	private long acknowledgedAt(long version) {
		Call write = this.writes.get(version);
		return (version == INITIAL) ? Long.MIN_VALUE : (write != null && write.isOk()) ? write.completedAt() : Long.MAX_VALUE;
	}

	private static int firstAbove(long[] nondecreasing, long value, int count) {
		int low = 0;
		int high = count;
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (nondecreasing[middle] > value) {
				high = middle;
			}
			else {
				low = middle + 1;
			}
		}
		return low;
	}

	/** The write of a version; {@code null} for the initial version or one never written to this key. */
	@Nullable Call writeOf(long version) {
		return this.writes.get(version);
	}

	boolean wasWritten(long version) {
		return version == INITIAL || this.writes.containsKey(version);
	}

	/** Where the version first appears in the row's log: -1 for the initial version, {@code null} if never applied. */
	@Nullable Integer firstPosition(long version) {
		return (version == INITIAL) ? Integer.valueOf(-1) : this.firstPosition.get(version);
	}

	@Nullable Integer lastPosition(long version) {
		return (version == INITIAL) ? Integer.valueOf(-1) : this.lastPosition.get(version);
	}

	/** The acknowledged writes, in acknowledgement order. */
	List<Call> acknowledged() {
		return this.acknowledged;
	}

	/** How many of the acknowledged writes were acknowledged before {@code time}. */
	int acknowledgedBefore(long time) {
		int low = 0;
		int high = this.acknowledged.size();
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (this.acknowledged.get(middle).completedAt() < time) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return low;
	}

}
