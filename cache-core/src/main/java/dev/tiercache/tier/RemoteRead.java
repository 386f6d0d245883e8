package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.internal.write.PendingWrites;

/** What reading a key of a {@link RemoteCache} found. */
sealed interface RemoteRead permits RemoteRead.Hit, RemoteRead.Unreadable, RemoteRead.Missing {

	/** Nothing stored (or a corrupt entry, now deleted). */
	Missing ABSENT = Missing.ABSENT;

	/** Redis failed or did not answer in time. */
	Missing FAILED = Missing.FAILED;

	/**
	 * Nothing stored, and the latest pending write of the key has a value the cache cannot hold
	 * ({@link PendingWrites#UNCACHED}): what a load finds may be older than that write, so it is
	 * returned but not stored.
	 */
	Missing UNCACHED = Missing.UNCACHED;

	/**
	 * A stored value ({@code null} for a cached null), when it was written and when it counts as expired
	 * (epoch ms), how long its load took, the bytes it was read from, whether it is a queued write
	 * not yet applied to the backing store (the newest value, whatever its age), and its tags, if any.
	 */
	record Hit(@Nullable Object value, long writtenAt, long softExpiresAt, int loadMillis, byte[] framed,
			boolean queued, @Nullable EntryTags tags) implements RemoteRead {
	}

	/** An intact entry that is not of the requested type: its header, and why. */
	record Unreadable(byte[] header, String reason) implements RemoteRead {
	}

	/** No value: absent, Redis failed, or a write of the key is pending that the cache cannot hold. */
	enum Missing implements RemoteRead {

		ABSENT, FAILED, UNCACHED

	}

}
