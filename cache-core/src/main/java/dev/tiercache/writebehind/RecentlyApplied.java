package dev.tiercache.writebehind;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The entries of one partition that its flusher on this instance applied last, so that it does not apply
 * one of them again when Redis hands it back: after a failover to a replica that had not yet received
 * the entry's acknowledgement, or when the flusher reads its own entries again after an acknowledgement
 * whose reply was lost. Applying an entry twice would be harmless on its own, but a newer write of its
 * key may have been applied since, and the older one would overwrite it in the database.
 *
 * <p>An entry is known by its stream id and a fingerprint of its key, method and arguments, since a new
 * primary may give an id the old one used to another entry. Holds the last {@value #CAPACITY} entries,
 * more than a partition applies while a replica lags behind in normal operation; entries handed back
 * after that many newer ones, or to another instance, are applied again (at least once). Used by the
 * partition's flush thread only.
 */
final class RecentlyApplied {

	static final int CAPACITY = 1024;

	private final Map<String, Applied> byId = new LinkedHashMap<>(CAPACITY * 4 / 3 + 1) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Applied> eldest) {
			return size() > CAPACITY;
		}

	};

	/** Remembers that the entry was applied. */
	void add(QueueEntry entry) {
		this.byId.put(entry.id(), new Applied(entry.key(), fingerprint(entry)));
	}

	/** Whether this entry, with this id and these contents, is one of those applied last. */
	boolean contains(QueueEntry entry) {
		Applied known = this.byId.get(entry.id());
		return known != null && known.fingerprint() == fingerprint(entry);
	}

	/** The keys of the entries applied last, each once. */
	Set<String> keys() {
		Set<String> keys = new LinkedHashSet<>();
		this.byId.values().forEach((applied) -> keys.add(applied.key()));
		return keys;
	}

	private static int fingerprint(QueueEntry entry) {
		return Objects.hash(entry.key(), entry.method(), Arrays.hashCode(entry.arguments()));
	}

	private record Applied(String key, int fingerprint) {
	}

}
