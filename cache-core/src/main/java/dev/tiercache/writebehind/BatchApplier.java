package dev.tiercache.writebehind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.writebehind.KeyRuns.Call;
import dev.tiercache.writebehind.KeyRuns.KeyWork;

/**
 * Applies the batches one partition's flusher reads: coalesces each ({@link KeyRuns}), makes the calls
 * in per-key order (through the batch method where one is declared), retries failures with
 * {@linkplain RetryBackoff backoff}, moves calls that keep failing to the dead-letter stream, and only
 * then acknowledges the entries. Each call is first {@linkplain PartitionFence#mayCall checked} against
 * the partition's lease. Used by one thread at a time, its flusher's.
 *
 * <p><b>Per-key order.</b> A key's calls are made in stream order, and a key stops at its first failing
 * call until it was applied or became a dead letter; a dead letter never takes a write it coalesced
 * with it: those are applied first, each on its own. {@code KeyRunsTests} and
 * {@code WriteBehindIntegrationTests.whenACoalescedCallBecomesADeadLetterTheWritesItCoveredAreStillApplied}
 * check it.
 *
 * <p><b>At least once.</b> An entry stays unacknowledged until it was applied or dead-lettered. An
 * acknowledgment Redis did not confirm is sent again while the lease holds (it is idempotent), so a slow
 * Redis does not make the next owner apply the entry again, nor does the drain's interrupt of a call
 * that then returns; a crash, or a lease lost before the acknowledgment, does. An entry Redis hands back
 * after this flusher settled it (a failover to a replica that missed the acknowledgment) is settled again
 * as it was, without a call ({@link RecentlyApplied}), and its key evicted; when the dataset changed, the
 * keys of the entries settled last are evicted too, since the new primary may lack their cache writes.
 * {@code QueuedKeyOrderTests} replays such failovers.
 * {@code WriteBehindIntegrationTests.aFlushThatLosesRedisBeforeItsAcknowledgmentAppliesTheEntryOnce},
 * {@code PartitionDrainTests.aCallTheDrainInterruptsIsAcknowledgedSoNoOtherInstanceAppliesItAgain} and
 * {@code WriteBehindCrashRecoveryTests} check it.
 *
 * <p><b>The cache never keeps a value the database did not get.</b> A dead letter's key is evicted, by
 * the name its entry gives the key (so also when no method here can read it), and so is the key of an
 * applied write the cache could not hold; a later pending write of the key still shows.
 * {@code WriteBehindIntegrationTests.aDeadLetterEvictsItsKeyEvenWhenItsMethodIsUnknownOrItsArgumentsCannotBeDecoded}
 * and {@code QueuedKeyOrderTests} check it.
 */
final class BatchApplier {

	private static final Log logger = LogFactory.getLog(PartitionFlusher.class);

	private final String cacheName;

	private final int partition;

	private final PartitionFence fence;

	private final PartitionStream stream;

	private final QueueMethods methods;

	private final RetryBackoff backoff;

	private final QueueFailures failures;

	private final QueueCounters counters;

	private final int maxAttempts;

	private final TieredCache cache;

	/** Whether the batch being applied stopped before its end. */
	private boolean stopped;

	private final RecentlyApplied applied = new RecentlyApplied();

	/** The lineage of the dataset the last batch was read from; {@code null} before the first. */
	private @Nullable String lineage;

	/** Whether the keys of the entries settled last are to be evicted ({@link #evictIfDatasetChanged}). */
	private boolean evictionOwed;

	/** The keys of the batch's calls that were settled before, and not again ({@link #settleAgain}). */
	private final Set<String> handedBack = new LinkedHashSet<>();

	/** The token the batch being applied was read under. */
	private byte[] batchToken = new byte[0];

	/**
	 * @param cache the queue's cache, whose entries of dead letters and of applied writes it could not
	 * hold are evicted
	 */
	BatchApplier(int partition, PartitionFence fence, PartitionStream stream, QueueMethods methods,
			RetryBackoff backoff, QueueFailures failures, QueueCounters counters, int maxAttempts, TieredCache cache) {
		this.cacheName = cache.getName();
		this.partition = partition;
		this.fence = fence;
		this.stream = stream;
		this.methods = methods;
		this.backoff = backoff;
		this.failures = failures;
		this.counters = counters;
		this.maxAttempts = maxAttempts;
		this.cache = cache;
	}

	/**
	 * Applies one batch, read under {@code token}, and acknowledges what was applied or dead-lettered.
	 * @return whether every entry was; {@code false} if the queue halted first, or the partition's
	 * token could not be confirmed before a call
	 * @throws RemoteCallException if the acknowledgment was not confirmed (see {@link #acknowledge}), or
	 * this instance lost the partition
	 */
	boolean apply(byte[] token, List<QueueEntry> batch) {
		List<KeyWork> works = KeyRuns.of(batch);
		this.batchToken = token;
		this.stopped = false;
		this.handedBack.clear();
		applyBatchMethods(works);
		int round = 0;
		List<KeyWork> failing = works;
		while (!this.stopped) {
			failing = applyEach(failing);
			if (failing.isEmpty() || !this.backoff.pause(++round) || !this.fence.held(token)) {
				break;
			}
		}
		acknowledge(token, works);
		evictHandedBack();
		evictIfDatasetChanged();
		return !this.stopped && failing.isEmpty();
	}

	/**
	 * Notes the lineage of the dataset a batch was read from ({@link QueueScripts#READ}; empty when Redis
	 * would not say). When it changed (a failover), the new primary may lack the cache writes of entries
	 * applied just before, whose values the database holds now: the keys of the entries settled last are
	 * to be evicted.
	 * @return whether it changed
	 */
	boolean readFrom(String lineage) {
		if (lineage.isEmpty()) {
			return false;
		}
		boolean changed = this.lineage != null && !this.lineage.equals(lineage);
		this.lineage = lineage;
		this.evictionOwed |= changed;
		return changed;
	}

	/**
	 * After a change of dataset ({@link #readFrom}), evicts from every tier the keys of the entries
	 * settled last, so that no cache keeps a value older than the database's: their next read loads it.
	 */
	void evictIfDatasetChanged() {
		if (!this.evictionOwed) {
			return;
		}
		this.evictionOwed = false;
		evict(this.applied.keys(), "the Redis dataset changed (a failover), and may lack their cache writes");
	}

	/**
	 * Evicts the keys of the entries of the batch that had been settled before (their values in the new
	 * primary's pending writes are older than the database's), once the batch was acknowledged.
	 */
	private void evictHandedBack() {
		if (!this.handedBack.isEmpty()) {
			evict(this.handedBack, "Redis handed back entries this instance had settled, and did not settle "
					+ "them again (a failover to a replica that had not received their acknowledgement, or a lost "
					+ "reply)");
			this.handedBack.clear();
		}
	}

	private void evict(Set<String> keys, String why) {
		for (String key : keys) {
			try {
				this.cache.evictNamed(key);
			}
			catch (RuntimeException ex) {
				logger.warn("Tiercache write-behind of cache '" + this.cacheName + "' could not evict key " + key
						+ ": " + ex.getMessage());
			}
		}
		if (!keys.isEmpty()) {
			logger.info("Tiercache write-behind of cache '" + this.cacheName + "' (partition " + this.partition
					+ ") evicted " + keys.size() + " keys: " + why);
		}
	}

	/** Whether the next call may be made ({@link PartitionFence#mayCall}); once not, the rest of the batch is left. */
	private boolean mayCall() {
		if (!this.stopped && !this.fence.mayCall(this.batchToken)) {
			this.stopped = true;
		}
		return !this.stopped;
	}

	/** Applies, with one batch-method call per method, the keys whose whole work is one call of such a method. */
	private void applyBatchMethods(List<KeyWork> works) {
		Map<String, List<KeyWork>> byMethod = new LinkedHashMap<>();
		for (KeyWork work : works) {
			if (work.calls().size() == 1 && !work.done() && this.applied.find(work.next().entry()) == null) {
				WriteBehindMethod method = this.methods.method(work.next().entry().method());
				if (method != null && method.hasBatchMethod()) {
					byMethod.computeIfAbsent(method.id(), (id) -> new ArrayList<>()).add(work);
				}
			}
		}
		byMethod.forEach((id, group) -> {
			WriteBehindMethod method = this.methods.method(id);
			if (method == null || group.size() < 2 || !mayCall()) {
				return;
			}
			List<@Nullable Object[]> calls = new ArrayList<>(group.size());
			try {
				for (KeyWork work : group) {
					calls.add(this.methods.arguments(method, work.calls().get(0).entry()));
				}
				method.applyBatch(calls);
			}
			catch (Throwable ex) {
				rethrowIfFatal(ex);
				logger.debug("Tiercache write-behind batch call of " + id + " failed; applying its "
						+ group.size() + " entries one by one", ex);
				return;
			}
			this.counters.batchCalls.increment();
			for (KeyWork work : group) {
				succeeded(work);
			}
		});
	}

	/**
	 * Makes each key's remaining calls in order, stopping a key at its first failure, and every key once
	 * a call {@linkplain #mayCall() may not be made}.
	 * @return the keys with calls left
	 */
	private List<KeyWork> applyEach(List<KeyWork> works) {
		List<KeyWork> failing = new ArrayList<>();
		for (KeyWork work : works) {
			while (!work.done() && mayCall()) {
				if (!applyNext(work)) {
					break;
				}
			}
			if (!work.done()) {
				failing.add(work);
			}
		}
		return failing;
	}

	/**
	 * Makes a key's next call.
	 * @return {@code false} if it failed and is to be tried again; {@code true} if it was applied, became
	 * a dead letter, or was split into the calls it coalesced
	 */
	private boolean applyNext(KeyWork work) {
		Call call = work.next();
		QueueEntry entry = call.entry();
		RecentlyApplied.Settled settled = this.applied.find(entry);
		if (settled != null) {
			settleAgain(work, settled);
			return true;
		}
		String spent = call.error();
		if (call.failures() >= this.maxAttempts && spent != null) {
			// the last write of a call split when its attempts were spent
			deadLetter(work, spent, call.failures());
			return true;
		}
		WriteBehindMethod method = this.methods.method(entry.method());
		if (method == null) {
			giveUp(work, "no @WriteBehind method " + entry.method() + " is registered on this instance", 1);
			return true;
		}
		@Nullable Object[] arguments;
		try {
			arguments = this.methods.arguments(method, entry);
		}
		catch (RuntimeException ex) {
			giveUp(work, "cannot decode the arguments: " + ex.getMessage(), 1);
			return true;
		}
		if (call.failures() > 0) {
			this.counters.retries.increment();
		}
		try {
			method.apply(arguments);
		}
		catch (Throwable ex) {
			rethrowIfFatal(ex);
			String error = ex.getClass().getName() + ": " + ex.getMessage();
			int attempts = work.failed(error);
			if (attempts >= this.maxAttempts) {
				giveUp(work, error, attempts);
				return true;
			}
			logger.debug("Tiercache write-behind call of " + entry.method() + " failed (attempt " + attempts + ")", ex);
			return false;
		}
		succeeded(work);
		return true;
	}

	/**
	 * Makes the next call a dead letter; or, if it coalesced earlier writes of its key, splits it so that
	 * those are applied first, each on its own: a dead letter never takes a write it covered with it.
	 */
	private void giveUp(KeyWork work, String error, int attempts) {
		if (work.uncoalesce()) {
			logger.debug("Tiercache write-behind of cache '" + this.cacheName + "' applies the writes a "
					+ "failed call of key " + work.key() + " coalesced one by one: " + error);
			return;
		}
		deadLetter(work, error, attempts);
	}

	/**
	 * Settles a call whose entry this flusher settled before ({@link RecentlyApplied}) as it was then,
	 * without making it again: Redis handed the entry back. A call that coalesced such an entry with newer
	 * ones is made: its value is the newest.
	 */
	private void settleAgain(KeyWork work, RecentlyApplied.Settled settled) {
		this.handedBack.add(work.key());
		String error = settled.deadLetterError();
		if (error != null) {
			deadLetter(work, error, settled.attempts());
		}
		else {
			work.advance();
		}
	}

	private void succeeded(KeyWork work) {
		Call call = work.next();
		call.covered().forEach(this.applied::add);
		this.applied.add(call.entry());
		this.counters.applied.add(call.entries());
		this.counters.methodCalls.increment();
		// added when queued too; again now, for a guard rebuilt while the call was queued
		this.cache.keyNamedWritten(call.entry().key());
		if (call.entry().uncached()) {
			// the cache may hold what reads loaded before this write was applied (a later pending write of
			// the key still shows)
			this.cache.evictNamed(call.entry().key());
		}
		work.advance();
	}

	/**
	 * Makes the next call a dead letter; if Redis does not answer, leaves the rest of the batch (the call
	 * is tried again with it).
	 * @throws RemoteCallException if this instance lost the partition
	 */
	private void deadLetter(KeyWork work, String error, int attempts) {
		QueueEntry entry = work.next().entry();
		try {
			this.stream.deadLetter(this.batchToken, entry, error, attempts);
		}
		catch (RemoteCallException ex) {
			if (QueueScripts.fenced(ex)) {
				throw ex;
			}
			// the script may have run (its reply lost): the value the database never got must not stay
			this.cache.evictNamed(entry.key());
			this.failures.redisFailed("move an entry of partition " + this.partition + " to the dead letters", ex);
			this.stopped = true;
			return;
		}
		this.applied.addDeadLetter(entry, error, attempts);
		this.counters.deadLettered.increment();
		// the cache must not keep a value the database never got (a later pending write of the key still
		// shows); evicted by the name the entry gives the key, so also when no method here can read it
		this.cache.evictNamed(entry.key());
		work.advance();
		this.failures.deadLettered(entry, error, attempts);
	}

	/**
	 * Acknowledges the settled entries and forgets the pending values of keys whose every entry settled.
	 * If Redis does not confirm it, sends it again, with backoff, while the lease holds: otherwise the
	 * next owner would apply those entries again. Sent with the thread's interrupt flag cleared (and set
	 * again after): the drain interrupts a call it waited for long enough, and once that call returned,
	 * its entries are applied; an interrupted wait would fail at once and might cancel the command
	 * before it was even sent.
	 * @throws RemoteCallException if Redis did not confirm it before the lease ran out or the queue
	 * halted, or if this instance lost the partition
	 */
	private void acknowledge(byte[] token, List<KeyWork> works) {
		byte[][] acknowledgement = PartitionStream.acknowledgement(token, works);
		if (acknowledgement == null) {
			return;
		}
		for (int round = 1;; round++) {
			try {
				Interrupts.clearedDuring(() -> this.stream.acknowledge(acknowledgement));
				return;
			}
			catch (RemoteCallException ex) {
				if (QueueScripts.fenced(ex) || !this.fence.held(token) || !this.backoff.pause(round)) {
					throw ex;
				}
				this.failures.redisFailed("acknowledge applied entries of partition " + this.partition
						+ " (sent again while the partition is this instance's)", ex);
			}
		}
	}

	private static void rethrowIfFatal(Throwable ex) {
		if (ex instanceof VirtualMachineError error) {
			throw error;
		}
	}

}
