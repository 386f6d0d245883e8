package dev.tiercache.internal.read;

/**
 * Answers, for a key a cache missed in L1, whether it may exist at all; see
 * {@link dev.tiercache.guard.PenetrationGuard}. A cache with a guard ({@code TieredCache#guardWith})
 * asks it before reading the key in Redis or loading it: a refused key is answered {@code null}, and
 * nothing is read, loaded or stored for it. The cache tells the guard of every key written to it (put,
 * written through, queued, invalidated) before the write, and again once a transaction it is written in
 * commits. Implementations must be thread-safe, and must let a key through whenever they are not sure.
 */
public interface KeyGuard {

	/** What to do with a key the cache missed in L1. */
	enum Verdict {

		/** It may exist: read it as without a guard. */
		PASS,

		/** It certainly does not exist: answer {@code null}. */
		REFUSE,

		/**
		 * Refused, but read as without a guard, to check the refusal: {@link #found} is to be called if a
		 * value comes back.
		 */
		AUDIT

	}

	/**
	 * Whether the key may exist.
	 * @param renderedKey the key as Redis names it
	 */
	Verdict check(String renderedKey);

	/**
	 * A key the guard refused, read to audit the refusal, has a value: it exists.
	 * @param renderedKey the key as Redis names it
	 */
	void found(String renderedKey);

	/**
	 * The key was written, or is about to be: from now on it may exist.
	 * @param renderedKey the key as Redis names it
	 */
	void added(String renderedKey);

}
