package dev.tiercache.tier;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.RateLimit;

/**
 * The writes this instance made to one cache's Redis keys under a namespace version it has not yet seen
 * confirmed after the write, so that those that a clear made elsewhere superseded can be repaired.
 *
 * <p>Another instance's clear moves the cache to a new namespace version; this instance learns it a
 * moment later (a tracking report, or the periodic read). A write made meanwhile goes to a key of the old
 * version, where no reader looks any more, while a value of the key written under the new version by an
 * instance that already knew it stays readable, older than this write: after a {@code @WriteBehind}
 * call, older than what the database will hold, until its TTL. So every write is remembered, by key (the
 * oldest version it was written under, the latest time), until a read of the namespace version that began
 * after the write completed finds its version still in use, or this instance's own clear moves it from
 * that version to the next; when the version moves otherwise, each write remembered under an older
 * version is handed to the repair, which deletes its key under the new version (readers then read the
 * pending write, or load).
 *
 * <p>Bounded: past {@link #CAPACITY} keys (some 10,000 writes to the cache within a second, or Redis
 * unreachable) further writes are not remembered until a confirmation covers them; a move meanwhile
 * repairs only the writes remembered, and logs it (at most every 30 s). Thread-safe.
 */
final class UnconfirmedWrites {

	/** How many keys are remembered at most. */
	static final int CAPACITY = 10_000;

	private static final Log logger = LogFactory.getLog(UnconfirmedWrites.class);

	private final String cacheName;

	private final Map<String, Write> writes = new ConcurrentHashMap<>();

	private final RateLimit unrepairedLog = new RateLimit(Duration.ofSeconds(30));

	/** The last write not remembered for want of room, or {@code null}; cleared by a confirmation after it. */
	private volatile @Nullable Write forgotten;

	private volatile @Nullable Repair repair;

	/** What repairs a write a move of the namespace superseded. */
	@FunctionalInterface
	interface Repair {

		/**
		 * Deletes the key under the namespace version in use now (in the background).
		 * @return whether the delete is pending ({@code false}: it was dropped, too many repairs are)
		 */
		boolean deleteInCurrent(RemoteKey key);

	}

	UnconfirmedWrites(String cacheName) {
		this.cacheName = cacheName;
	}

	/** Sets what repairs superseded writes; until then, none are repaired. */
	void repairWith(Repair repair) {
		this.repair = repair;
	}

	/**
	 * A write of a resolved key completed just now under the key's namespace version; repaired at once if
	 * the version in use ({@code current}, read once the write is remembered) moved past it meanwhile.
	 */
	void completed(RemoteKey key, LongSupplier current) {
		Write write = new Write(key, System.nanoTime());
		if (this.writes.size() >= CAPACITY && !this.writes.containsKey(key.rendered())) {
			this.forgotten = write;
			return;
		}
		this.writes.merge(key.rendered(), write, Write::and);
		Repair now = this.repair;
		if (now != null && key.namespace() < current.getAsLong()) {
			Write remembered = this.writes.remove(key.rendered());
			if (remembered != null) {
				repair(now, remembered);
			}
		}
	}

	/** A read that began at {@code startedNanos} found {@code version} in use: earlier writes under it are sound. */
	void confirmed(long version, long startedNanos) {
		Predicate<Write> covered = (write) -> write.key().namespace() == version
				&& write.completedNanos() - startedNanos < 0;
		this.writes.values().removeIf(covered);
		Write lost = this.forgotten;
		if (lost != null && covered.test(lost)) {
			this.forgotten = null;
		}
	}

	/** The namespace moved forward to {@code version}: hands the writes made under older ones to the repair. */
	void superseded(long version) {
		Repair now = this.repair;
		if (now == null) {
			return;
		}
		this.writes.values().removeIf((write) -> write.key().namespace() < version && repair(now, write));
		Write lost = this.forgotten;
		if (lost != null && lost.key().namespace() < version) {
			this.forgotten = null;
			unrepaired("more than " + CAPACITY + " of its writes were not confirmed");
		}
	}

	private boolean repair(Repair repair, Write write) {
		if (!repair.deleteInCurrent(write.key())) {
			unrepaired("too many Redis repairs are pending");
		}
		return true;
	}

	private void unrepaired(String why) {
		if (this.unrepairedLog.allow()) {
			logger.warn("Tiercache could not repair every write this instance made to cache '" + this.cacheName
					+ "' just before another instance's clear (" + why + "): until their TTL, some keys may read "
					+ "older values than their last write");
		}
	}

	/** How many writes are remembered. */
	int size() {
		return this.writes.size();
	}

	private record Write(RemoteKey key, long completedNanos) {

		/** Two writes of one key: the oldest version either was made under, and the latest completion. */
		Write and(Write other) {
			RemoteKey older = (other.key.namespace() < this.key.namespace()) ? other.key : this.key;
			long latest = (other.completedNanos - this.completedNanos > 0) ? other.completedNanos : this.completedNanos;
			return new Write(older, latest);
		}

	}

}
