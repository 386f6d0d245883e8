package dev.tiercache.tier;

import java.util.concurrent.atomic.AtomicLongArray;

import org.jspecify.annotations.Nullable;

/**
 * The stamps of one {@link LocalTier}: counters of what was done to its keys, so that a reader can
 * tell whether anything was between two moments. Per stripe of keys ({@value #STRIPES} stripes, chosen
 * by the key's Redis name in a tier that mirrors Redis and by the key's own hash otherwise, so that
 * unrelated keys may share one): the writes this instance made and the changes reported to it; for
 * the whole tier, its clears.
 *
 * <p>A key's stamp ({@link #of}) holds its stripe's writes, each weighing {@value #CLEARS_PER_WRITE}
 * clears (so that the two rarely cancel out), plus the clears, in its high half, and its stripe's
 * reports in its low half. Every write, clear or report of the key (or of a key of its stripe) moves
 * it, and none moves it back; {@link #writtenBetween} tells writes and clears from reports. Taking a
 * stamp is three reads of volatile state and allocates nothing. The tier makes its stores of a key
 * conditional on the key's stamp ({@link LocalTier}, "Stamps").
 *
 * <p>It also keeps when each stripe last moved, on the tier's coarse clock, so that a read can tell
 * whether the key changed lately ({@link #quietFor}): a replica may not have that change yet.
 * Thread-safe.
 */
final class Stamps {

	private static final int STRIPES = 1024;

	/** How much more a write of a key weighs in its stamp than a clear, so that the two rarely cancel out. */
	private static final int CLEARS_PER_WRITE = 31;

	/** Writes made by this instance, per stripe of keys. */
	private final AtomicLongArray writes = new AtomicLongArray(STRIPES);

	/** Changes reported by Redis (or another instance), per stripe of keys. */
	private final AtomicLongArray reports = new AtomicLongArray(STRIPES);

	private volatile long epoch;

	private final CoarseClock clock;

	/** Just before these stamps were made, by {@link #clock}: times are kept from it, so that 0 is never. */
	private final long origin;

	/** When each stripe last moved, in nanoseconds since {@link #origin}; 0 if never. */
	private final AtomicLongArray movedAt = new AtomicLongArray(STRIPES);

	/** When the tier was last cleared, in nanoseconds since {@link #origin}; 0 if never. */
	private volatile long clearedAt;

	Stamps(CoarseClock clock) {
		this.clock = clock;
		this.origin = clock.read() - 1;
	}

	/**
	 * The stamp of the key: its writes (and clears) in the high half, its reports in the low half.
	 * @param rendered the key as Redis names it, in a tier that mirrors Redis; {@code null} otherwise
	 */
	long of(Object key, @Nullable String rendered) {
		int stripe = stripe(key, rendered);
		return ((this.writes.get(stripe) * CLEARS_PER_WRITE + this.epoch) << 32)
				| (this.reports.get(stripe) & 0xFFFF_FFFFL);
	}

	/** This instance writes the key. */
	void written(Object key, @Nullable String rendered) {
		moved(stripe(key, rendered), this.writes);
	}

	/** A change to the key Redis names {@code rendered} was reported. */
	void reported(String rendered) {
		moved(stripe(rendered.hashCode()), this.reports);
	}

	/** A change to the key was reported, or is to be taken as one (a suspect entry leaves). */
	void reported(Object key, @Nullable String rendered) {
		moved(stripe(key, rendered), this.reports);
	}

	/**
	 * Counts a move of the stripe, once its time is set: a reader that sees the new stamp also sees that
	 * the stripe moved lately, and never takes a replica's older value for one read after the move.
	 */
	private void moved(int stripe, AtomicLongArray counters) {
		this.movedAt.accumulateAndGet(stripe, sinceOrigin(), Math::max);
		counters.incrementAndGet(stripe);
	}

	/** This instance clears the tier: every key's stamp moves. */
	void cleared() {
		synchronized (this) {
			this.clearedAt = sinceOrigin();
			this.epoch++;
		}
	}

	/**
	 * Whether nothing was written, reported or cleared for the key's stripe in the last {@code nanos}.
	 * Two reads of volatile state and one of the clock; allocates nothing.
	 */
	boolean quietFor(Object key, @Nullable String rendered, long nanos) {
		long now = sinceOrigin();
		long moved = this.movedAt.get(stripe(key, rendered));
		long cleared = this.clearedAt;
		return (moved == 0 || now - moved >= nanos) && (cleared == 0 || now - cleared >= nanos);
	}

	/** The clock's time since {@link #origin}: at least 1, since the clock never goes back. */
	private long sinceOrigin() {
		return this.clock.read() - this.origin;
	}

	/**
	 * The stamp one write of the key (and nothing else) makes of {@code stamp}: a clear, a report, or a write
	 * of another key of the same stripe in between makes another.
	 */
	static long afterOneWrite(long stamp) {
		return stamp + ((long) CLEARS_PER_WRITE << 32);
	}

	/** Whether this instance wrote the key, or cleared the tier, between two of its stamps. */
	static boolean writtenBetween(long stamp, long later) {
		return (stamp >>> 32) != (later >>> 32);
	}

	private static int stripe(Object key, @Nullable String rendered) {
		return stripe((rendered != null) ? rendered.hashCode() : key.hashCode());
	}

	private static int stripe(int hash) {
		return (hash ^ (hash >>> 16)) & (STRIPES - 1);
	}

}
