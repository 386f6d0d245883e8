package dev.tiercache.tier;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.redis.RemoteCallException;

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
	 */
	void add(Object id, CacheContext cache, Repair repair) {
		if (this.pending.size() >= this.capacity && !this.pending.containsKey(id)) {
			cache.stats().repairDropped();
			logger.debug("Tiercache " + cache + " has too many pending Redis repairs; one was dropped");
			return;
		}
		this.pending.put(id, repair);
	}

	/** Forgets a pending delete of the key, once a newer write of it succeeded. Allocates nothing when none is pending. */
	void cancel(RemoteKey key) {
		if (!this.pending.isEmpty()) {
			this.pending.remove(key.id());
		}
	}

	/** Tries every pending write now, on the calling thread, until Redis fails. */
	synchronized void retryNow() {
		for (Map.Entry<Object, Repair> entry : this.pending.entrySet()) {
			try {
				entry.getValue().attempt();
				this.pending.remove(entry.getKey(), entry.getValue());
			}
			catch (RemoteCallException ex) {
				logger.debug("Tiercache repairs wait for Redis", ex);
				return;
			}
			catch (RuntimeException ex) {
				this.pending.remove(entry.getKey(), entry.getValue());
				logger.warn("Tiercache dropped a Redis repair that cannot succeed", ex);
			}
		}
	}

	/** One last attempt at what is pending, once the scheduler that retried it is shut down. */
	@Override
	public void close() {
		retryNow();
	}

}
