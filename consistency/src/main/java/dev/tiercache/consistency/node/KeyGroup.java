package dev.tiercache.consistency.node;

/**
 * The keys are split into groups, each read and written by the operations that make sense together:
 * a key written behind is never also written synchronously (Tiercache orders a key's queued writes,
 * not queued against synchronous ones, and the README says not to mix them), and each cache mode has
 * keys of its own.
 */
public enum KeyGroup {

	/** Cache {@code v} (L1 and Redis): every read, write-through, write-around, evict, invalidations. */
	SYNC(35),

	/** Cache {@code v}: every read, write-behind, invalidations. */
	BEHIND(20),

	/** Cache {@code vr} (Redis only): reads, write-through and write-around. */
	REMOTE(20),

	/** Cache {@code vl} (L1 only, no Redis): reads, write-through and write-around. */
	LOCAL(15),

	/**
	 * Cache {@code vt} (L1 and Redis): tagged reads (by the row, and by a group of rows), and writes that
	 * drop the cached row by one of its tags.
	 */
	TAGGED(10);

	private final int percent;

	KeyGroup(int percent) {
		this.percent = percent;
	}

	/** The share of the keys and of the calls that go to this group, in percent. */
	public int percent() {
		return this.percent;
	}

}
