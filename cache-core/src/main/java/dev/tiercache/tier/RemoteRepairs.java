package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * Redis writes that must not be lost when Redis fails: the delete of a key whose {@code put} or
 * {@code evict} failed (otherwise Redis would keep the old value for its whole TTL), the clear of a
 * cache, and the release of a lease whose release or acquisition timed out. Each is retried in the
 * background every {@link #RETRY_INTERVAL} until Redis answers.
 *
 * <p>At most {@code capacity} repairs are pending; beyond that a new one is dropped and counted in
 * its cache's {@code repairsDropped}. A later successful write of the same key {@linkplain #cancel
 * cancels} its pending delete. Thread-safe.
 */
final class RemoteRepairs implements AutoCloseable {

	static final Duration RETRY_INTERVAL = Duration.ofMillis(500);

	/** How many repairs {@link #retryNow(Executor)} tries at once. */
	static final int RETRY_LANES = RedisCircuitBreaker.RECOVERY_THREADS;

	private static final Log logger = LogFactory.getLog(RemoteRepairs.class);

	private final int capacity;

	private final Map<Object, Repair> pending = new ConcurrentHashMap<>();

	/** Starts retrying every {@link #RETRY_INTERVAL} on {@code scheduler}, until it is shut down. */
	RemoteRepairs(int capacity, ScheduledExecutorService scheduler) {
		this.capacity = capacity;
		long interval = RETRY_INTERVAL.toMillis();
		scheduler.scheduleWithFixedDelay(this::retryNow, interval, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * One write to retry.
	 */
	@FunctionalInterface
	interface Repair {

		/**
		 * Tries the write once.
		 * @throws RemoteCallException if Redis still fails
		 */
		void attempt();

	}

	/**
	 * Remembers a write to retry, replacing any pending one with the same id.
	 * @param id what the write is about (a key, a lease, a cache), so that it can be replaced or cancelled
	 * @param cache the cache that counts a repair dropped for want of room
	 * @return whether it is remembered ({@code false}: dropped for want of room, and counted)
	 */
	boolean add(Object id, CacheContext cache, Repair repair) {
		if (this.pending.size() >= this.capacity && !this.pending.containsKey(id)) {
			cache.stats().repairDropped();
			logger.debug("Tiercache " + cache + " has too many pending Redis repairs; one was dropped");
			return false;
		}
		this.pending.put(id, repair);
		return true;
	}

	/** Forgets a pending delete of the key, once a newer write of it succeeded. Allocates nothing when none is pending. */
	void cancel(RemoteKey key) {
		if (!this.pending.isEmpty()) {
			this.pending.remove(key.id());
		}
	}

	/** Tries every pending write now, on the calling thread, until Redis fails. */
	synchronized void retryNow() {
		retry(Runnable::run, 1);
	}

	/**
	 * Tries every pending write now, {@value #RETRY_LANES} at a time on {@code workers} (the writes do
	 * not depend on each other), until Redis fails; returns once none is being tried, except after an
	 * interrupt, which stops the retries (those under way end by themselves) and is kept.
	 * @return whether none is pending any more: {@code false} if Redis failed or the caller was interrupted
	 */
	synchronized boolean retryNow(Executor workers) {
		return retry(workers, RETRY_LANES);
	}

	private boolean retry(Executor workers, int lanes) {
		if (this.pending.isEmpty()) {
			return true;
		}
		List<Map.Entry<Object, Repair>> due = List.copyOf(this.pending.entrySet());
		AtomicInteger next = new AtomicInteger();
		AtomicBoolean stopped = new AtomicBoolean();
		Runnable lane = () -> {
			for (int index = next.getAndIncrement(); index < due.size() && !stopped.get(); index = next.getAndIncrement()) {
				if (!attempt(due.get(index))) {
					stopped.set(true);
				}
			}
		};
		List<CompletableFuture<Void>> running = new ArrayList<>();
		try {
			for (int i = 0; i < Math.min(lanes, due.size()); i++) {
				running.add(start(lane, workers));
			}
		}
		catch (RuntimeException | Error ex) {
			// a lane that could not start stops the others
			stopped.set(true);
			throw ex;
		}
		finally {
			awaitLanes(running, stopped);
		}
		return !stopped.get();
	}

	private static void awaitLanes(List<CompletableFuture<Void>> running, AtomicBoolean stopped) {
		try {
			CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
		}
		catch (InterruptedException ex) {
			stopped.set(true);
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			stopped.set(true);
			logger.warn("Tiercache could not retry its pending Redis repairs", ex.getCause());
		}
	}

	/** Runs a lane on {@code workers}, or on this thread if they take no more work (shut down). */
	private static CompletableFuture<Void> start(Runnable lane, Executor workers) {
		try {
			return CompletableFuture.runAsync(lane, workers);
		}
		catch (RejectedExecutionException ex) {
			lane.run();
			return CompletableFuture.completedFuture(null);
		}
	}

	/**
	 * @return {@code false} if Redis failed, so that retrying the others now is pointless; a repair Redis
	 * refused (out of memory, say) stays pending without stopping the others
	 */
	private boolean attempt(Map.Entry<Object, Repair> entry) {
		try {
			entry.getValue().attempt();
			this.pending.remove(entry.getKey(), entry.getValue());
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache repairs wait for Redis", ex);
			return ex.refusedByRedis();
		}
		catch (RuntimeException ex) {
			this.pending.remove(entry.getKey(), entry.getValue());
			logger.warn("Tiercache dropped a Redis repair that cannot succeed", ex);
			return true;
		}
	}

	/** One last attempt at what is pending, once the scheduler that retried it is shut down. */
	@Override
	public void close() {
		retryNow();
	}

}
