package dev.tiercache.coherence;

/**
 * The namespace version one cache uses in its Redis keys on this instance, and the floor below which
 * it never goes.
 *
 * <p><b>Floor.</b> The version only moves forward: a version read (or bumped to) that is lower than the
 * one in use is ignored, and it is the floor {@link Namespaces} moves Redis past when the namespace key
 * went backwards (deleted, or lost in a failover), so entries of older namespaces, cleared since, are
 * never served again. When the version moves from a known one, the cache was cleared (here or
 * elsewhere) and its L1 is cleared too; a bump of this instance clears L1 even when another instance's
 * bump got there first. A read that began before this instance's own bump does not move the version:
 * the bump is newer. Checked by {@code NamespaceClearTests}:
 * {@code aDeletedNamespaceKeyIsMovedForwardSoClearedEntriesStayInvisible},
 * {@code aClearAfterTheNamespaceKeyWasDeletedMovesPastTheFloor}, and {@code NamespaceVersionTests}.
 * Thread-safe.
 */
public final class NamespaceVersion {

	/** The version of a cache whose version has not been read from Redis yet. */
	public static final long UNKNOWN = -1;

	private final LocalCopies copies;

	private volatile long version = UNKNOWN;

	/** How many times this instance bumped the version; guarded by this. */
	private long bumps;

	/** @param copies the cache's L1, cleared when the version moves */
	public NamespaceVersion(LocalCopies copies) {
		this.copies = copies;
	}

	/** The version in use, or {@link #UNKNOWN}; also the floor below which versions read are not used. */
	public long current() {
		return this.version;
	}

	/** A stamp to take before reading the version from Redis, for {@link #read}. */
	synchronized Stamp stamp() {
		return new Stamp(this.bumps, System.nanoTime());
	}

	/**
	 * Moves to a version read from Redis if it is newer than the one in use, unless this instance bumped
	 * it since the read began ({@code stamp}); if it is the one in use, tells the cache it was confirmed
	 * ({@link LocalCopies#namespaceConfirmed}).
	 */
	synchronized void read(long version, Stamp stamp) {
		if (stamp.bumps() == this.bumps && !moveTo(version) && version == this.version) {
			this.copies.namespaceConfirmed(version, stamp.takenNanos());
		}
	}

	/**
	 * Moves to the version this instance's bump returned if it is newer; clears L1 either way. A bump
	 * from the version in use to the next one (nobody else bumped since this instance last knew it)
	 * confirms that version for the writes completed before the bump began ({@code stamp}).
	 */
	synchronized void bumped(long version, long from, Stamp stamp) {
		this.bumps++;
		if (from != UNKNOWN && from == this.version && version == from + 1) {
			this.copies.namespaceConfirmed(from, stamp.takenNanos());
		}
		if (!moveTo(version)) {
			this.copies.clear();
		}
	}

	/** Moves forward to {@code version}, clearing L1 if the version in use was known; whether it moved. */
	private boolean moveTo(long version) {
		long previous = this.version;
		if (version <= previous) {
			return false;
		}
		this.version = version;
		if (previous != UNKNOWN) {
			this.copies.clear();
			this.copies.namespaceMoved(version);
		}
		return true;
	}

	/** When a read of the version began: how many bumps this instance had made, and the time. */
	record Stamp(long bumps, long takenNanos) {
	}

}
