package dev.tiercache.tier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.NamespaceVersion;

/**
 * The writes this instance made to one cache's Redis keys under a namespace version it has not yet seen
 * confirmed after the write, so that those that a clear made elsewhere superseded can be repaired.
 *
 * <p>Another instance's clear moves the cache to a new namespace version; this instance learns it a
 * moment later (a tracking report, or the periodic read). A write made meanwhile goes to a key of the old
 * version, where no reader looks any more, while a value of the key written under the new version by an
 * instance that already knew it stays readable, older than this write: after a {@code @WriteBehind}
 * call, older than what the database will hold, until its TTL. So every write is remembered, by key,
 * until a read of the namespace version that began after the write completed finds its version still in
 * use; when the version moves instead, each write remembered under an older version is handed to the
 * repair, which deletes its key under the new version (readers then read the pending write or load).
 * Past {@link #CAPACITY} keys (a long Redis outage with no confirmation) the cache is cleared once more
 * instead. Thread-safe.
 */
final class UnconfirmedWrites {

	/** How many keys are remembered at most. */
	static final int CAPACITY = 20_000;

	private static final Log logger = LogFactory.getLog(UnconfirmedWrites.class);

	private final Map<String, Write> writes = new ConcurrentHashMap<>();

	private volatile boolean overflowed;

	private volatile @Nullable Repair repair;

	/** What repairs the writes a move of the namespace superseded. */
	interface Repair {

		/** Deletes the key under the namespace version in use now. */
		void deleteInCurrent(RemoteKey key);

		/** Clears the cache again: superseded writes were not all remembered. */
		void clearAgain();

	}

	/** Sets what repairs superseded writes; until then, none are repaired. */
	void repairWith(Repair repair) {
		this.repair = repair;
	}

	/**
	 * A write of a resolved key completed just now under the key's namespace version; repaired at once if
	 * the namespace in use ({@code current}, read after the write is remembered) moved past it meanwhile.
	 */
	void completed(RemoteKey key, NamespaceVersion current) {
		if (this.writes.size() >= CAPACITY && !this.writes.containsKey(key.rendered())) {
			this.overflowed = true;
			return;
		}
		Write write = new Write(key, System.nanoTime());
		this.writes.put(key.rendered(), write);
		Repair now = this.repair;
		if (now != null && key.namespace() < current.current() && this.writes.remove(key.rendered(), write)) {
			now.deleteInCurrent(key);
		}
	}

	/** A read that began at {@code startedNanos} found {@code version} in use: earlier writes under it are sound. */
	void confirmed(long version, long startedNanos) {
		this.writes.values().removeIf((write) -> write.key().namespace() == version
				&& write.completedNanos() - startedNanos < 0);
	}

	/** The namespace moved forward to {@code version}: hands the writes made under older ones to the repair. */
	void superseded(long version) {
		Repair current = this.repair;
		if (current == null) {
			return;
		}
		if (this.overflowed) {
			this.overflowed = false;
			this.writes.clear();
			logger.warn("Tiercache cannot tell which of more than " + CAPACITY + " writes to a cache another "
					+ "instance's clear superseded (the namespace version was not confirmed meanwhile): the cache "
					+ "is cleared once more");
			current.clearAgain();
			return;
		}
		this.writes.values().removeIf((write) -> {
			if (write.key().namespace() >= version) {
				return false;
			}
			current.deleteInCurrent(write.key());
			return true;
		});
	}

	/** How many writes are remembered. */
	int size() {
		return this.writes.size();
	}

	private record Write(RemoteKey key, long completedNanos) {
	}

}
