package dev.tiercache.tier;

import dev.tiercache.coherence.LocalCopies;

/**
 * An entry this instance wrote, kept in its {@link LocalTier} after a change to its key was reported:
 * to {@linkplain LocalTier#evictIf evict} unless Redis still holds what it wrote. Evicting it removes
 * the entry only while it is still the one resident.
 */
final class SuspectEntry implements LocalCopies.Suspect {

	private final LocalTier tier;

	private final Object key;

	private final LocalEntry entry;

	SuspectEntry(LocalTier tier, Object key, LocalEntry entry) {
		this.tier = tier;
		this.key = key;
		this.entry = entry;
	}

	Object key() {
		return this.key;
	}

	LocalEntry entry() {
		return this.entry;
	}

	@Override
	public long writeToken() {
		return this.entry.writeToken();
	}

	@Override
	public void evict() {
		this.tier.evictIf(this);
	}

}
