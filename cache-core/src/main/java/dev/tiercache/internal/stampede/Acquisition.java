package dev.tiercache.internal.stampede;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RemoteCallException;

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

	/**
	 * The value was absent (or was the one the caller replaces), but a write of the key is queued that
	 * the backing store does not hold yet ({@link EntryKeys#pending()}): its framed value, the newest.
	 * No lease was taken, since a loader would read older data.
	 */
	record Pending(byte[] value) implements Acquisition {
	}

	/** The value was absent and another caller holds the lease for {@code remainingMillis} more. */
	record Held(long remainingMillis) implements Acquisition {
	}

	/**
	 * The last holder's load ended without a value to store (it failed, or its result is not cached),
	 * and waiters are free to load at once, without the lease.
	 */
	record Open() implements Acquisition {
	}

	/**
	 * Redis did not answer in time: the caller may or may not hold {@code lease}. Release it (it is
	 * safe to release a lease one does not hold) and go on without it.
	 */
	record Unknown(Lease lease, RemoteCallException failure) implements Acquisition {
	}

}
