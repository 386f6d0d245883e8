package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Shares one cache's partitions between the instances that flush it, and runs this instance's
 * flushers: every flush interval it records this instance as a live flusher, works out its fair share
 * of partitions (rounded up), gives up owned partitions beyond it that are idle, and submits a flush of
 * each owned partition and, while under its share, of the others (a flush takes a partition only if it
 * is free or its owner's lease ran out). At shutdown it {@linkplain #drain drains}. Neither gives up a
 * partition while a flush of it runs ({@link PartitionFlusher#releaseIfIdle}). Thread-safe.
 */
final class PartitionBalancer {

	private static final Log logger = LogFactory.getLog(WriteBehindQueue.class);

	private final String cacheName;

	private final RemoteCommands commands;

	private final byte[] liveFlushers;

	private final byte[] partitionCount;

	private final byte[] consumer;

	private final WriteBehindSettings settings;

	private final List<PartitionFlusher> flushers;

	private final OwnerLeases leases;

	private final FlushGate gate;

	private final RetryBackoff backoff;

	private final QueueFailures failures;

	private final ThreadPoolExecutor pool;

	private final ScheduledExecutorService scheduler;

	PartitionBalancer(String cacheName, RemoteCommands commands, QueueKeys keys, byte[] consumer,
			WriteBehindSettings settings, List<PartitionFlusher> flushers, OwnerLeases leases, FlushGate gate,
			RetryBackoff backoff, QueueFailures failures) {
		this.cacheName = cacheName;
		this.commands = commands;
		this.liveFlushers = keys.flushers();
		this.partitionCount = keys.partitionCount();
		this.consumer = consumer;
		this.settings = settings;
		this.flushers = List.copyOf(flushers);
		this.leases = leases;
		this.gate = gate;
		this.backoff = backoff;
		this.failures = failures;
		this.pool = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), DaemonThreads.numbered("tiercache-writebehind-" + cacheName + "-"));
		this.scheduler = Executors
			.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-writebehind-" + cacheName));
	}

	/** Starts the lease heartbeat and the balancing, every flush interval. */
	void start() {
		this.leases.start();
		long interval = this.settings.flushInterval().toMillis();
		this.scheduler.scheduleWithFixedDelay(
				Periodic.surviving(this::tick, logger, "balance the write-behind partitions of cache '" + this.cacheName + "'"),
				0, interval, TimeUnit.MILLISECONDS);
	}

	private void tick() {
		try {
			Long live = this.commands.eval(QueueScripts.LIVE, ScriptOutputType.INTEGER,
					new byte[][] { this.liveFlushers, this.partitionCount }, this.consumer,
					QueueKeys.ascii(this.settings.claimIdle().toMillis()), QueueKeys.ascii(this.settings.partitions()));
			int partitions = this.flushers.size();
			int share = (int) Math.ceil((double) partitions / Math.max(1, (live != null) ? live : 1));
			int owned = (int) this.flushers.stream().filter(PartitionFlusher::owned).count();
			for (PartitionFlusher flusher : this.flushers) {
				if (flusher.owned() && owned > share && !flusher.running()) {
					flusher.releaseIfIdle();
					owned--;
				}
				else if (flusher.owned() || owned < share) {
					submit(flusher);
				}
			}
		}
		catch (RemoteCallException ex) {
			this.failures.redisFailed("poll the queue", ex);
		}
		catch (RuntimeException ex) {
			logger.warn("Tiercache write-behind scheduler of cache '" + this.cacheName + "' failed", ex);
		}
	}

	/**
	 * Queues a flush of the partition, unless one is queued; a flush that yields its thread to the flushes
	 * of other partitions waiting for one is queued again, behind them.
	 */
	private void submit(PartitionFlusher flusher) {
		if (flusher.schedule()) {
			try {
				this.pool.execute(() -> {
					if (flusher.flush(() -> anotherQueued(flusher)) == PartitionFlusher.Outcome.YIELDED) {
						submit(flusher);
					}
				});
			}
			catch (RejectedExecutionException ex) {
				// stopping
			}
		}
	}

	/** How many flushes wait for a thread of this queue's pool. */
	int flushesWaiting() {
		return this.pool.getQueue().size();
	}

	/** Whether a flush of another partition than {@code flusher}'s waits for a thread. */
	private boolean anotherQueued(PartitionFlusher flusher) {
		for (PartitionFlusher other : this.flushers) {
			if (other != flusher && other.scheduled()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Stops balancing, flushes the owned partitions, and those it can take because no instance holds
	 * them, until they are empty or {@code drain-timeout} passed (their leases renewed meanwhile), then
	 * halts what still runs (no call starts any more, and what is not applied stays unacknowledged, for
	 * the next owner) and waits a second for it to end. A flush that ends before its partition read
	 * empty (Redis failed or was slow for a moment, a call could not be made, another flush of the
	 * partition still ran) is made again, after a {@linkplain RetryBackoff backoff}, while the partition
	 * is this instance's and time is left. While the circuit breaker keeps calls from Redis no flush is
	 * made, and once it has for {@code claim-idle} the drain ends: this instance's partition leases have
	 * run out by then, and what is left stays queued for the partitions' next owner (so a Redis outage
	 * does not hold shutdown for the whole timeout, and a breaker open for a moment does not end the
	 * drain). It gives up at once the partitions no flush of which runs, so another instance takes them
	 * over at once; a flush still in a call keeps its partition and gives it up when it ends (after this
	 * returned, maybe), so that no other instance applies the entries of its key before the call
	 * returned. Last it stops the heartbeat: a lease kept past the drain runs out {@code claim-idle}
	 * after its last renewal. Then {@link #leave()}. An interrupt ends the flushing early, as the
	 * deadline does.
	 */
	void drain() {
		this.gate.stop();
		this.scheduler.shutdownNow();
		long deadline = System.nanoTime() + this.settings.drainTimeout().toNanos();
		try {
			flushUntilEmpty(deadline);
		}
		catch (TimeoutException ex) {
			// drain-timeout passed
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.gate.halt();
			DaemonThreads.stop(this.pool, Duration.ofSeconds(1));
			this.flushers.forEach(PartitionFlusher::releaseIfIdle);
			this.leases.close();
		}
	}

	/**
	 * Flushes every partition this instance owns, or can take because no instance holds it, in rounds:
	 * each round takes those it can, then flushes those owned and not read empty yet, and waits for the
	 * flushes; between rounds it backs off, longer after each round. It ends once every partition was
	 * read empty or is another instance's (which is left to it, and not asked for again). While the
	 * breaker keeps calls from Redis no round is made, and the breaker is looked at again after the
	 * shortest backoff (so that calls let through again are seen at once); once it has kept them for
	 * {@code claim-idle}, the flushing ends.
	 * @throws TimeoutException once the deadline passed
	 */
	private void flushUntilEmpty(long deadline) throws InterruptedException, TimeoutException {
		Set<PartitionFlusher> emptied = new HashSet<>();
		Set<PartitionFlusher> heldElsewhere = new HashSet<>();
		long refusedSince = 0;
		boolean refused = false;
		for (int rounds = 0;;) {
			long left = this.flushers.stream()
				.filter((flusher) -> !emptied.contains(flusher) && !heldElsewhere.contains(flusher))
				.count();
			if (left == 0) {
				return;
			}
			if ((refused || rounds > 0) && !this.backoff.pause(refused ? 1 : rounds, deadline)) {
				return; // interrupted (its flag kept)
			}
			long now = System.nanoTime();
			if (now - deadline >= 0) {
				throw new TimeoutException();
			}
			if (!this.commands.admits()) {
				if (!refused) {
					refused = true;
					refusedSince = now;
				}
				else if (now - refusedSince >= this.settings.claimIdle().toNanos()) {
					logger.warn("Tiercache write-behind of cache '" + this.cacheName + "' stops draining: its circuit "
							+ "breaker has kept calls from Redis for claim-idle (" + this.settings.claimIdle()
							+ "), so this instance's partition leases ran out; " + left
							+ " partition(s) keep their entries for their next owner");
					return;
				}
				continue;
			}
			refused = false;
			rounds++;
			takeFreePartitions(emptied, heldElsewhere, deadline);
			List<PartitionFlusher> owned = this.flushers.stream()
				.filter((flusher) -> flusher.owned() && !emptied.contains(flusher))
				.toList();
			List<Future<Boolean>> flushes = new ArrayList<>(owned.size());
			for (PartitionFlusher flusher : owned) {
				Callable<Boolean> flush = flusher::flush;
				flushes.add(this.pool.submit(flush));
			}
			for (int i = 0; i < owned.size(); i++) {
				if (emptied(flushes.get(i), deadline)) {
					emptied.add(owned.get(i));
				}
			}
		}
	}

	/**
	 * Takes, for the drain, each partition this instance does not own, has not read empty, and does not
	 * know to be another instance's, if no instance holds it; remembers those another instance holds.
	 * Skipped this round, and tried in the next: a partition a flush still runs for (one the balancing
	 * queued before the drain, which may be taking it: a flush marks itself running before it looks at
	 * the drain, so one that takes is seen running here), and a take Redis fails. No take is made past
	 * the deadline.
	 */
	private void takeFreePartitions(Set<PartitionFlusher> emptied, Set<PartitionFlusher> heldElsewhere,
			long deadline) {
		for (PartitionFlusher flusher : this.flushers) {
			if (flusher.owned() || flusher.running() || emptied.contains(flusher) || heldElsewhere.contains(flusher)) {
				continue;
			}
			if (System.nanoTime() - deadline >= 0) {
				return;
			}
			try {
				if (!flusher.takeUnlessHeld()) {
					heldElsewhere.add(flusher);
				}
			}
			catch (RemoteCallException ex) {
				this.failures.redisFailed("take a free partition to drain it", ex);
			}
		}
	}

	/**
	 * Waits for a flush until the deadline.
	 * @return whether it read its partition empty
	 * @throws TimeoutException if the deadline passed first
	 */
	private boolean emptied(Future<Boolean> flush, long deadline) throws InterruptedException, TimeoutException {
		try {
			return flush.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			logger.warn("Tiercache write-behind of cache '" + this.cacheName + "' could not flush a partition while "
					+ "draining; flushing it again", ex.getCause());
			return false;
		}
	}

	/**
	 * Takes this instance off the live flushers, so that the others share its partitions at once.
	 * @throws RemoteCallException if Redis fails
	 */
	void leave() {
		this.commands.eval(QueueScripts.LEAVE, ScriptOutputType.INTEGER, new byte[][] { this.liveFlushers },
				this.consumer);
	}

}
