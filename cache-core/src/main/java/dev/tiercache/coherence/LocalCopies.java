package dev.tiercache.coherence;

import org.jspecify.annotations.Nullable;

/**
 * The L1 of one cache, as {@link L1Coherence} acts on it: implemented by the tier that owns the L1,
 * which keeps its own invariants (stamps, write tokens) in each of these steps. Implementations must be
 * thread-safe, and {@link #reported} quick: it runs on Redis's I/O thread.
 */
public interface LocalCopies {

	/** The name of the cache, as its Redis keys carry it. */
	String cacheName();

	/**
	 * The namespace version of the cache's Redis keys in use now: a change reported for a key of
	 * another version concerns no entry of this L1.
	 */
	long namespace();

	/**
	 * Redis reported a change of the entry it names {@code renderedKey}: reads of it in flight must not
	 * store theirs, and the entry leaves, unless this instance wrote it to Redis (the report may be that
	 * very write, echoed).
	 * @return the entry this instance wrote, kept until a check settles it; {@code null} if none is kept
	 */
	@Nullable Suspect reported(String renderedKey);

	/**
	 * This instance changed the entry Redis names {@code renderedKey} behind its L1's back (a delete
	 * made once Redis answered again): the entry leaves, and reads in flight do not store theirs.
	 */
	void dropped(String renderedKey);

	/** Changes may have been missed: every entry leaves, and reads in flight do not store theirs. */
	void clear();

	/**
	 * A read of the cache's namespace version that began at {@code startedNanos}
	 * ({@link System#nanoTime()}) found {@code version} still in use: the writes this instance completed
	 * under it before then reached Redis while it was current. By default nothing is done.
	 */
	default void namespaceConfirmed(long version, long startedNanos) {
	}

	/**
	 * The namespace version in use moved forward to {@code version} (the cache was cleared, here or
	 * elsewhere), after {@link #clear}. A write this instance made under an older version may have
	 * reached Redis after the clear, where no reader looks, while an older value of its key written under
	 * the new version stays readable: the tier deletes such keys under the new version. By default nothing
	 * is done.
	 */
	default void namespaceMoved(long version) {
	}

	/** An entry this instance wrote to Redis, kept in L1 though a change of its key was reported. */
	interface Suspect {

		/** The {@link WriteTokens token} of the bytes this instance wrote to Redis with the entry. */
		long writeToken();

		/** Removes the entry if it is still resident, and keeps reads in flight from storing theirs. */
		void evict();

	}

}
