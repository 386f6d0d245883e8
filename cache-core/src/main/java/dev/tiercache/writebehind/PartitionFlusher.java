package dev.tiercache.writebehind;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.tracing.CacheTracer;

/**
 * Flushes one partition of a queue while this instance owns it: takes the partition when it is free,
 * claims what earlier owners left, reads batches of entries (this instance's pending ones before any
 * new one) and hands each to its {@link BatchApplier}, until the partition is empty, this instance
 * loses it, or the queue stops. At most one thread runs it at a time.
 *
 * <p><b>Ownership.</b> The partition is this instance's while it holds its {@linkplain OwnerLease lease},
 * which a heartbeat thread renews. On taking the partition it first claims every entry earlier owners
 * read but did not acknowledge, whatever their idle time, and applies those before any new one, so
 * per-key order holds across a takeover. Each read, claim, acknowledgment and dead letter is fenced by
 * the lease's token ({@link PartitionStream}), and each call by the {@link PartitionFence}: once another
 * instance took over, this one stops and leaves its batch to the new owner. A claim that fails is made
 * again at the next flush. {@code WriteBehindOwnershipTest} and
 * {@code WriteBehindIntegrationTests.aClaimThatFailsWhenAPartitionIsTakenOverIsRetriedSoTheAbandonedEntryIsApplied}
 * check it.
 *
 * <p><b>Never given up while a call runs.</b> This instance gives a partition up (to balance partitions,
 * or at drain) only while no flush of it runs: once given up, another instance takes it at once and
 * applies the entry of a call still running and newer ones of its key, and the older call could land
 * over them. At drain a flush still in a call keeps the lease, and gives the partition up when it ends,
 * however it ends (the call returned or threw, Redis failed, the thread was interrupted). Past the
 * drain nothing renews that lease: if Redis no longer answers this instance, or the call outlasts the
 * lease, the lease runs out, as an instance's that paused ({@link OwnerLease}).
 * {@code PartitionDrainTests} checks it.
 *
 * <p><b>Coalescing window.</b> With a {@code coalesce-window}, a flush that caught up with the partition
 * (it applied a read of new entries shorter than a batch) ends there, and the partition is not read again
 * until the window passed, so that the writes of a busy key gather and are coalesced into one call.
 * Entries this instance read and did not settle, and those it claims on taking the partition, never wait
 * for it: they are read at the next flush (and the new entries after them with them), as they are by the
 * drain, which never waits for it. A failover is noticed at the first read after the window.
 *
 * <p><b>Nothing read is skipped.</b> Entries this instance read but did not settle (a batch left
 * unfinished, a Redis failure, a call that threw an {@link Error}) are read again, in order, before any
 * new one.
 */
final class PartitionFlusher {

	private static final Log logger = LogFactory.getLog(PartitionFlusher.class);

	private static final String OWN_PENDING = "0";

	private final String cacheName;

	private final int partition;

	private final OwnerLease lease;

	private final PartitionStream stream;

	private final PartitionFence fence;

	private final BatchApplier batches;

	private final FlushGate gate;

	private final CacheTracer tracer;

	private final QueueFailures failures;

	private final AtomicBoolean running = new AtomicBoolean();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	/** The token under which the entries earlier owners left were claimed last (flush thread only). */
	private byte @Nullable [] claimedUnder;

	private boolean ownPendingLeft = true;

	private final int batchSize;

	private final long coalesceWindowNanos;

	/** When the coalescing window after the last catch-up ends (flush thread only). */
	private long readAgainAt = System.nanoTime();

	/**
	 * @param fence the check before each call, over the same lease
	 * @param batches what applies the batches read from {@code stream}
	 */
	PartitionFlusher(String cacheName, int partition, WriteBehindSettings settings, OwnerLease lease,
			PartitionStream stream, PartitionFence fence, BatchApplier batches, FlushGate gate, QueueFailures failures,
			CacheTracer tracer) {
		this.cacheName = cacheName;
		this.tracer = tracer;
		this.partition = partition;
		this.batchSize = settings.batchSize();
		this.coalesceWindowNanos = settings.coalesceWindow().toNanos();
		this.lease = lease;
		this.stream = stream;
		this.fence = fence;
		this.batches = batches;
		this.gate = gate;
		this.failures = failures;
	}

	boolean owned() {
		return this.lease.token() != null;
	}

	boolean running() {
		return this.running.get();
	}

	/**
	 * For the drain: takes the partition if this instance does not own it and no other instance holds it
	 * (nobody took it yet, as when this instance's flushes of it waited behind others' until the drain
	 * began, or its owner's lease ran out), so that its entries are applied before this instance stops
	 * rather than left for an instance that may never come. The next flush claims what earlier owners
	 * left, as on any takeover.
	 * @return whether this instance owns the partition; {@code false} if another instance holds it
	 * @throws RemoteCallException if Redis fails
	 */
	boolean takeUnlessHeld() {
		return owned() || this.lease.take() != null;
	}

	/** Whether a flush of the partition is queued (submitted, not started yet). */
	boolean scheduled() {
		return this.scheduled.get();
	}

	/** Marks the flusher as submitted; {@code false} if it already is. */
	boolean schedule() {
		return this.scheduled.compareAndSet(false, true);
	}

	/** How a flush ended. */
	enum Outcome {

		/** The partition read empty. */
		EMPTY,

		/** It applied a full batch while flushes of other partitions waited for a thread, and gave its own up. */
		YIELDED,

		/**
		 * It ended before: another thread was flushing the partition, this instance does not own it (or lost
		 * it, or its lease was not renewed in time), Redis failed, a call could not be made, the queue halted,
		 * or the partition gathers entries for its coalescing window.
		 */
		STOPPED

	}

	/**
	 * {@link #flush(BooleanSupplier)} that never yields: the drain's.
	 * @return whether it ended because the partition read empty
	 */
	boolean flush() {
		return flush(() -> false) == Outcome.EMPTY;
	}

	/**
	 * Takes the partition if this instance does not own it and it is free, then applies entries until
	 * the partition is empty, this instance loses it, or the queue stops; or, after a full batch, until
	 * {@code othersWaiting} says flushes of other partitions wait for a thread (so that a partition under
	 * sustained load does not keep a thread from the others; the caller submits it again, behind them).
	 * Returns at once if another thread is flushing it.
	 */
	Outcome flush(BooleanSupplier othersWaiting) {
		this.scheduled.set(false);
		if (!this.running.compareAndSet(false, true)) {
			return Outcome.STOPPED;
		}
		byte @Nullable [] token = null;
		try {
			token = this.lease.token();
			if (token == null && !this.gate.stopping()) {
				token = this.lease.take();
			}
			if (token == null) {
				return Outcome.STOPPED;
			}
			if (!Arrays.equals(token, this.claimedUnder)) {
				claimAbandoned(token);
				this.claimedUnder = token;
				this.ownPendingLeft = true;
			}
			else if (!this.ownPendingLeft && gathering()) {
				return Outcome.STOPPED;
			}
			while (!this.gate.halted() && this.lease.held(token)) {
				boolean readingNew = !this.ownPendingLeft;
				PartitionStream.Read read = this.stream.read(token, readingNew ? ">" : OWN_PENDING);
				if (this.batches.readFrom(read.lineage())) {
					// a failover: the new primary may show entries as another consumer's that this instance
					// claimed on the old one; claimed again, they are read, in order, before any new one
					this.claimedUnder = null;
					claimAbandoned(token);
					this.claimedUnder = token;
					this.ownPendingLeft = true;
					continue;
				}
				List<QueueEntry> batch = read.entries();
				if (batch.isEmpty()) {
					this.batches.evictIfDatasetChanged();
					if (!this.ownPendingLeft) {
						return Outcome.EMPTY;
					}
					this.ownPendingLeft = false;
					continue;
				}
				if (!applyTraced(token, batch)) {
					this.ownPendingLeft = true;
					return Outcome.STOPPED;
				}
				if (batch.size() >= this.batchSize && !this.gate.stopping() && othersWaiting.getAsBoolean()) {
					return Outcome.YIELDED;
				}
				if (readingNew && batch.size() < this.batchSize && this.coalesceWindowNanos > 0) {
					this.readAgainAt = System.nanoTime() + this.coalesceWindowNanos;
					if (gathering()) {
						return Outcome.STOPPED;
					}
				}
			}
			return Outcome.STOPPED;
		}
		catch (RemoteCallException ex) {
			this.ownPendingLeft = true;
			if (token != null && QueueScripts.fenced(ex)) {
				this.fence.lost(token);
			}
			else {
				this.failures.redisFailed("flush partition " + this.partition, ex);
			}
			return Outcome.STOPPED;
		}
		catch (RuntimeException | Error ex) {
			// a call threw what it may not (a VirtualMachineError): the batch's entries stay unacknowledged
			// and are read again, in order, before any new one
			this.ownPendingLeft = true;
			throw ex;
		}
		finally {
			this.running.set(false);
			// the drain halts, then gives up the partitions not running; this clears running, then reads the
			// halt: one of the two sees the other and gives the partition up
			if (this.gate.halted()) {
				releaseIfIdle();
			}
		}
	}

	/**
	 * Gives the partition up (at drain, or to balance partitions between instances) unless a flush of it
	 * runs, which may be in a call: another instance would apply the same entries meanwhile. A flush
	 * that runs when the queue halted gives the partition up itself when it ends.
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

	/**
	 * Gives the partition up; also from a thread interrupted by the drain, whose flag is cleared for the
	 * call to Redis and set again after it. If Redis does not answer, the lease runs out by itself.
	 */
	private void release() {
		try {
			Interrupts.clearedDuring(this.lease::release);
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not release write-behind partition " + this.partition
					+ "; its lease runs out after claim-idle", ex);
		}
	}

	/** Applies a batch read under {@code token}, as the cache's tracer's flush: see {@link BatchApplier#apply}. */
	private boolean applyTraced(byte[] token, List<QueueEntry> batch) {
		return this.tracer.trace(CacheTracer.Work.FLUSH, this.cacheName, () -> this.batches.apply(token, batch));
	}

	/** Whether the partition gathers new entries for its coalescing window; never once the queue stops. */
	private boolean gathering() {
		return this.coalesceWindowNanos > 0 && System.nanoTime() - this.readAgainAt < 0 && !this.gate.stopping();
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

}
