package dev.tiercache.stampede;

/**
 * The outcome of asking for a key's value or its lease, in one atomic step.
 */
public sealed interface Acquisition {

	/** The value was there (written after the caller's first read); its framed bytes. */
	record Found(byte[] value) implements Acquisition {
	}

	/** The value was absent and the caller now holds the lease. */
	record Acquired(Lease lease) implements Acquisition {
	}

	/** The value was absent and another caller holds the lease for {@code remainingMillis} more. */
	record Held(long remainingMillis) implements Acquisition {
	}

}
