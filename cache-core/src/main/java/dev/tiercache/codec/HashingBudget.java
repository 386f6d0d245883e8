package dev.tiercache.codec;

/**
 * What reading one Java-serialized payload may spend: at most its budget of hashing steps, at least
 * {@value #MIN_BUDGET} and {@value #BUDGET_PER_BYTE} per payload byte beyond that, and at most
 * {@link SerializationAllowList#MAX_DEPTH} levels of nesting. Going over either is
 * {@linkplain HashingRefused refused} at once. Not thread-safe; each reading uses its own.
 * {@code HashingBudgetTests} checks it.
 */
final class HashingBudget {

	/** The budget of a small payload, in steps. */
	static final long MIN_BUDGET = 1_000_000;

	/** The budget per payload byte, in steps. */
	static final long BUDGET_PER_BYTE = 32;

	private final long steps;

	private long spent;

	private int depth;

	/** The budget of a payload of {@code length} bytes. */
	HashingBudget(int length) {
		this.steps = Math.max(MIN_BUDGET, BUDGET_PER_BYTE * length);
	}

	/** How many steps may be spent. */
	long steps() {
		return this.steps;
	}

	/**
	 * Spends {@code count} hashing steps.
	 * @throws HashingRefused once more steps were spent than the budget allows
	 */
	void spend(long count) {
		this.spent += count;
		if (this.spent > this.steps) {
			throw new HashingRefused("an object graph whose hash codes take more than " + this.steps
					+ " steps to compute (at most " + BUDGET_PER_BYTE + " per payload byte, and at least "
					+ MIN_BUDGET + ", are allowed)");
		}
	}

	/**
	 * A size that grew by {@code part}, saturating just above the budget (a size that large is refused
	 * anyway, and sizes of shared objects would otherwise overflow).
	 */
	long grow(long size, long part) {
		return Math.min(size + part, this.steps + 1);
	}

	/**
	 * Enters an object or array's contents.
	 * @throws HashingRefused if that nests deeper than {@link SerializationAllowList#MAX_DEPTH}
	 */
	void enter() {
		if (++this.depth > SerializationAllowList.MAX_DEPTH) {
			throw new HashingRefused("an object graph deeper than " + SerializationAllowList.MAX_DEPTH);
		}
	}

	/** Leaves what {@link #enter()} entered. */
	void leave() {
		this.depth--;
	}

}
