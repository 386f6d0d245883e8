package dev.tiercache.writebehind;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The entries of one partition that its flusher on this instance settled last (applied, or moved to the
 * dead letters), so that it does not settle one of them again as if it were new when Redis hands it back:
 * after a failover to a replica that had not yet received the entry's acknowledgement, or when the flusher
 * reads its own entries again after an acknowledgement whose reply was lost. Applying an entry twice would
 * be harmless on its own, but a newer write of its key may have been applied since, and the older one
 * would overwrite it in the database.
 *
 * <p>An entry is known by its stream id and a fingerprint of its key, method and arguments, since a new
 * primary may give an id the old one used to another entry. Holds the last {@value #CAPACITY} entries,
 * more than a partition settles while a replica lags behind in normal operation; entries handed back
 * after that many newer ones, or to another instance, are applied again (at least once). Used by the
 * partition's flush thread only.
 */
final class RecentlyApplied {

	static final int CAPACITY = 1024;

	private final Map<String, Settled> byId = new LinkedHashMap<>(CAPACITY * 4 / 3 + 1) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Settled> eldest) {
			return size() > CAPACITY;
		}

	};

	/** Remembers that the entry was applied. */
	void add(QueueEntry entry) {
		this.byId.put(entry.id(), new Settled(entry.key(), fingerprint(entry), null, 0));
	}

	/** Remembers that the entry was moved to the dead letters, with the error and attempts it had. */
	void addDeadLetter(QueueEntry entry, String error, int attempts) {
		this.byId.put(entry.id(), new Settled(entry.key(), fingerprint(entry), error, attempts));
	}

	/** How this entry, with this id and these contents, was settled, if it is one of those settled last. */
	@Nullable Settled find(QueueEntry entry) {
		Settled known = this.byId.get(entry.id());
		return (known != null && known.fingerprint() == fingerprint(entry)) ? known : null;
	}

	/** The keys of the entries settled last, each once. */
	Set<String> keys() {
		Set<String> keys = new LinkedHashSet<>();
		this.byId.values().forEach((settled) -> keys.add(settled.key()));
		return keys;
	}

	private static int fingerprint(QueueEntry entry) {
		return Objects.hash(entry.key(), entry.method(), Arrays.hashCode(entry.arguments()));
	}

	/**
	 * How an entry was settled.
	 * @param deadLetterError the error it was moved to the dead letters with; {@code null} if it was applied
	 * @param attempts the attempts it had then
	 */
	record Settled(String key, int fingerprint, @Nullable String deadLetterError, int attempts) {
	}

}
