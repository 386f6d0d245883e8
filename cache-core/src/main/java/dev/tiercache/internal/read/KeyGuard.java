package dev.tiercache.internal.read;

/**
 * Answers, for a key a cache missed, whether it may exist at all; see
 * {@link dev.tiercache.guard.PenetrationGuard}. A cache with a guard ({@code TieredCache#guardWith})
 * returns {@code null} without calling its loader for a key the guard says cannot exist, and tells the
 * guard of every key written to it (put, written through, queued, invalidated), before the write.
 * Implementations must be thread-safe, and must answer {@code true} whenever they cannot be sure.
 */
public interface KeyGuard {

	/**
	 * Whether the key may exist: {@code false} only if it certainly does not.
	 * @param renderedKey the key as Redis names it
	 */
	boolean mightExist(String renderedKey);

	/**
	 * The key was written, or is about to be: from now on it may exist.
	 * @param renderedKey the key as Redis names it
	 */
	void added(String renderedKey);

}
