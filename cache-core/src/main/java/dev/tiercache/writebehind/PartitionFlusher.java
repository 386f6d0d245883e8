package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.writebehind.KeyRuns.Call;
import dev.tiercache.writebehind.KeyRuns.KeyWork;

/**
 * Flushes one partition of a queue while this instance owns it: reads a batch, coalesces it, applies
 * the calls in per-key order (through the batch method where one is declared), retries failures with
 * exponential backoff and jitter, moves calls that keep failing to the dead-letter stream, and only
 * then acknowledges the entries. At most one thread runs it at a time.
 *
 * <p><b>Ownership.</b> The partition is this instance's while it holds its {@linkplain OwnerLease lease},
 * which a heartbeat thread renews. On taking the partition it first claims every entry earlier owners
 * read but did not acknowledge, whatever their idle time, and applies those before any new one, so
 * per-key order holds across a takeover. Each read, claim, acknowledgment and dead letter is fenced by
 * the lease's token, and each call is made only while the lease was renewed less than a lease
 * duration ago and Redis confirmed the token (at most {@link OwnerLease#CONFIRMATION} before): once
 * another instance took over, this one stops at the next call and leaves its batch to the new owner.
 *
 * <p><b>At least once.</b> An entry stays unacknowledged until it was applied or dead-lettered. An
 * acknowledgment Redis did not confirm is sent again while the lease holds (it is idempotent), so a slow
 * Redis does not make the next owner apply the entry again; a crash, or a lease lost before the
 * acknowledgment, does.
 */
final class PartitionFlusher {

	private static final Log logger = LogFactory.getLog(PartitionFlusher.class);

	private static final String OWN_PENDING = "0";

	private final String cacheName;

	private final int partition;

	private final OwnerLease lease;

	private final PartitionStream stream;

	private final QueueMethods methods;

	private final FlushGate gate;

	private final QueueFailures failures;

	private final QueueCounters counters;

	private final WriteBehindSettings settings;

	private final TieredCache cache;

	private final AtomicBoolean running = new AtomicBoolean();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	/** The token under which the entries earlier owners left were claimed last (flush thread only). */
	private byte @Nullable [] claimedUnder;

	private boolean ownPendingLeft = true;

	/** Whether the batch being applied stopped before its end (flush thread only). */
	private boolean stopped;

	/** The token the batch being applied was read under (flush thread only). */
	private byte[] batchToken = new byte[0];

	/**
	 * @param cache the queue's cache, whose entries of dead letters and of applied writes it could not
	 * hold are evicted
	 */
	PartitionFlusher(int partition, OwnerLease lease, PartitionStream stream, QueueMethods methods, FlushGate gate,
			QueueFailures failures, QueueCounters counters, WriteBehindSettings settings, TieredCache cache) {
		this.cacheName = cache.getName();
		this.partition = partition;
		this.lease = lease;
		this.stream = stream;
		this.methods = methods;
		this.gate = gate;
		this.failures = failures;
		this.counters = counters;
		this.settings = settings;
		this.cache = cache;
	}

	boolean owned() {
		return this.lease.token() != null;
	}

	boolean running() {
		return this.running.get();
	}

	/** Marks the flusher as submitted; {@code false} if it already is. */
	boolean schedule() {
		return this.scheduled.compareAndSet(false, true);
	}

	/**
	 * Takes the partition if this instance does not own it and it is free, then applies entries until
	 * the partition is empty, this instance loses it, or the queue stops. Returns at once if another
	 * thread is flushing it.
	 */
	void flush() {
		this.scheduled.set(false);
		if (!this.running.compareAndSet(false, true)) {
			return;
		}
		byte @Nullable [] token = null;
		try {
			token = this.lease.token();
			if (token == null && !this.gate.stopping()) {
				token = this.lease.take();
			}
			if (token == null) {
				return;
			}
			if (!Arrays.equals(token, this.claimedUnder)) {
				claimAbandoned(token);
				this.claimedUnder = token;
				this.ownPendingLeft = true;
			}
			while (!this.gate.halted() && this.lease.held(token)) {
				List<QueueEntry> batch = this.stream.read(token, this.ownPendingLeft ? OWN_PENDING : ">");
				if (batch.isEmpty()) {
					if (!this.ownPendingLeft) {
						return;
					}
					this.ownPendingLeft = false;
					continue;
				}
				if (!apply(token, batch)) {
					this.ownPendingLeft = true;
					return;
				}
			}
		}
		catch (RemoteCallException ex) {
			this.ownPendingLeft = true;
			if (token != null && QueueScripts.fenced(ex)) {
				lost(token);
			}
			else {
				this.failures.redisFailed("flush partition " + this.partition, ex);
			}
		}
		catch (RuntimeException | Error ex) {
			// a call threw what it may not (a VirtualMachineError): the batch's entries stay unacknowledged
			// and are read again, in order, before any new one
			this.ownPendingLeft = true;
			throw ex;
		}
		finally {
			this.running.set(false);
		}
	}

	private void lost(byte[] token) {
		if (this.lease.lost(token)) {
			logger.info("Tiercache write-behind of cache '" + this.cacheName + "' lost partition "
					+ this.partition + " to another instance (fencing token " + new String(token, StandardCharsets.US_ASCII)
					+ " is no longer the partition's); the new owner applies what this instance had not acknowledged");
		}
	}

	/**
	 * Gives the partition up to balance partitions between instances, unless a flush of it runs (which
	 * may be in a call: another instance would apply the same entries meanwhile).
	 */
	void releaseIfIdle() {
		if (!this.running.compareAndSet(false, true)) {
			return;
		}
		try {
			release();
		}
		finally {
			this.running.set(false);
		}
	}

	/** Gives the partition up (at shutdown, or to balance partitions between instances). */
	void release() {
		try {
			this.lease.release();
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not release write-behind partition " + this.partition
					+ "; its lease runs out after claim-idle", ex);
		}
	}

	/**
	 * Claims every entry read but not acknowledged by earlier owners, however long they were idle: they
	 * died, were cut off, or gave the partition up. A claim that fails is tried again at the next flush.
	 */
	private void claimAbandoned(byte[] token) {
		long claimed = this.stream.claimAbandoned(token);
		if (claimed > 0) {
			logger.info("Tiercache claimed " + claimed + " write-behind entries of cache '" + this.cacheName
					+ "' (partition " + this.partition + ") that an earlier owner read but did not apply");
		}
	}

	/**
	 * Applies one batch and acknowledges what was applied or dead-lettered.
	 * @return whether every entry was; {@code false} if the queue halted first, or the partition's
	 * token could not be confirmed before a call
	 */
	private boolean apply(byte[] token, List<QueueEntry> batch) {
		List<KeyWork> works = KeyRuns.of(batch);
		this.batchToken = token;
		this.stopped = false;
		applyBatchMethods(works);
		int round = 0;
		List<KeyWork> failing = works;
		while (!this.stopped) {
			failing = applyEach(failing);
			if (failing.isEmpty() || !backOff(++round) || !this.lease.held(token)) {
				break;
			}
		}
		acknowledge(token, works);
		return !this.stopped && failing.isEmpty();
	}

	/**
	 * Whether the next call may be made: the queue did not halt, the lease is sure to run still, and Redis
	 * confirms that its token is still the partition's. Once not, the rest of the batch is left.
	 */
	private boolean mayCall() {
		if (this.stopped || this.gate.halted() || !this.lease.held(this.batchToken)) {
			this.stopped = true;
			return false;
		}
		try {
			if (!this.lease.confirm(this.batchToken)) {
				lost(this.batchToken);
				this.stopped = true;
			}
		}
		catch (RemoteCallException ex) {
			this.failures.redisFailed("confirm the lease of partition " + this.partition + " before a call", ex);
			this.stopped = true;
		}
		return !this.stopped;
	}

	/** Applies, with one batch-method call per method, the keys whose whole work is one call of such a method. */
	private void applyBatchMethods(List<KeyWork> works) {
		Map<String, List<KeyWork>> byMethod = new LinkedHashMap<>();
		for (KeyWork work : works) {
			if (work.calls().size() == 1) {
				WriteBehindMethod method = this.methods.method(work.calls().get(0).entry().method());
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
		int maxAttempts = this.settings.maxAttempts();
		String spent = call.error();
		if (call.failures() >= maxAttempts && spent != null) {
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
			if (attempts >= maxAttempts) {
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

	private void succeeded(KeyWork work) {
		Call call = work.next();
		this.counters.applied.add(call.entries());
		this.counters.methodCalls.increment();
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
		this.counters.deadLettered.increment();
		// the cache must not keep a value the database never got (a later pending write of the key still
		// shows); evicted by the name the entry gives the key, so also when no method here can read it
		this.cache.evictNamed(entry.key());
		work.advance();
		this.failures.deadLettered(entry, error, attempts);
	}

	/**
	 * Waits before the next retry round: the backoff doubled per round, capped, with jitter (between
	 * half and all of it). @return {@code false} if the queue halted meanwhile
	 */
	private boolean backOff(int round) {
		long base = this.settings.backoff().toMillis() << Math.min(round - 1, 30);
		long capped = Math.min(Math.max(base, 1), this.settings.maxBackoff().toMillis());
		long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
		return this.gate.pause(delay);
	}

	/**
	 * Acknowledges the settled entries and forgets the pending values of keys whose every entry settled.
	 * If Redis does not confirm it, sends it again, with backoff, while the lease holds: otherwise the
	 * next owner would apply those entries again.
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
				this.stream.acknowledge(acknowledgement);
				return;
			}
			catch (RemoteCallException ex) {
				if (QueueScripts.fenced(ex) || !this.lease.held(token) || !backOff(round)) {
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
