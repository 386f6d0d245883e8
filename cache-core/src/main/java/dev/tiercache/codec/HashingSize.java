package dev.tiercache.codec;

/**
 * An object or array of a Java serialization stream, being read or read, as {@link HashingWork} counts
 * it: how many steps hashing it takes (itself plus what it refers to), and what a reference to it adds
 * to what holds it: its size once complete; while it is read, its size so far if it
 * {@linkplain SerializedClass#filledAsRead() fills as it is read}, one step otherwise (its fields are set
 * only once it is read). Not thread-safe.
 */
final class HashingSize {

	private final boolean filledAsRead;

	private long size = 1;

	private boolean complete;

	HashingSize(boolean filledAsRead) {
		this.filledAsRead = filledAsRead;
	}

	/** An object with nothing to read (a class, an enum constant), complete at once. */
	static HashingSize complete() {
		HashingSize item = new HashingSize(false);
		item.complete = true;
		return item;
	}

	/** Adds a part's size ({@link HashingBudget#grow}). */
	void add(long partSize, HashingBudget budget) {
		this.size = budget.grow(this.size, partSize);
	}

	/** The object was read: @return its size. */
	long finish() {
		this.complete = true;
		return this.size;
	}

	/** The size a reference to it adds to what holds it. */
	long referenced() {
		return (this.complete || this.filledAsRead) ? this.size : 1;
	}

}
