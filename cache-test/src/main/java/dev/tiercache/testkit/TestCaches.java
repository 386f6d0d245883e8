package dev.tiercache.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindStats;

/**
 * The caches of the application under test, as a test sees them: their stats counted from the start of
 * the current test, a wait for write-behind, and the reset that {@link AutoConfigureTestRedis} makes
 * before each test. A bean of every context that annotation sets up; inject it into the test. Stats
 * are this instance's (the context's), as {@code TieredCache.stats()} and {@code WriteBehindQueues.stats}
 * give them. Thread-safe.
 */
public final class TestCaches {

	/** How long {@link #reset()} waits for the write-behind queues to empty. */
	public static final Duration QUEUE_WAIT = Duration.ofSeconds(30);

	private static final Duration POLL = Duration.ofMillis(10);

	private final ObjectProvider<TieredCacheManager> manager;

	private final ObjectProvider<WriteBehindQueues> queues;

	private final Map<String, CacheStats> cacheBaselines = new ConcurrentHashMap<>();

	private final Map<String, WriteBehindStats> queueBaselines = new ConcurrentHashMap<>();

	TestCaches(ObjectProvider<TieredCacheManager> manager, ObjectProvider<WriteBehindQueues> queues) {
		this.manager = manager;
		this.queues = queues;
	}

	/**
	 * The stats of a cache since the current test began (since the context started, without
	 * {@link AutoConfigureTestRedis#clearCaches()}).
	 * @throws IllegalArgumentException if the context's manager has no cache of that name
	 * @throws IllegalStateException if the context has no (single) {@code TieredCacheManager}
	 */
	public CacheStats stats(String cache) {
		CacheStats now = manager().getTieredCache(cache).stats();
		CacheStats baseline = this.cacheBaselines.get(cache);
		return (baseline != null) ? now.since(baseline) : now;
	}

	/**
	 * The write-behind stats of a cache: what this instance did since the current test began, and the
	 * queue as it is now.
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 * @throws IllegalStateException if the context has no write-behind queues
	 */
	public WriteBehindStats writeBehind(String cache) {
		WriteBehindStats now = queues().stats(cache);
		WriteBehindStats baseline = this.queueBaselines.get(cache);
		return (baseline != null) ? now.since(baseline) : now;
	}

	/**
	 * Waits until the write-behind queue of a cache is empty: every write queued so far was applied to the
	 * database (or dead-lettered), by this instance or another.
	 * @param timeout how long to wait at most
	 * @throws AssertionError if entries are still queued after {@code timeout}, saying how many
	 */
	public void awaitWriteBehind(String cache, Duration timeout) {
		WriteBehindQueues queues = queues();
		long deadline = System.nanoTime() + timeout.toNanos();
		long depth;
		while ((depth = queues.stats(cache).depth()) > 0) {
			if (System.nanoTime() - deadline >= 0) {
				throw new AssertionError("The write-behind queue of cache '" + cache + "' still holds " + depth
						+ " entries after " + timeout + ": its writes are not being applied (see the log for the "
						+ "write method's failures, and the dead letters)");
			}
			pause();
		}
	}

	/**
	 * Starts a test afresh: waits (up to {@link #QUEUE_WAIT}) for every write-behind queue to empty, so
	 * that no write of an earlier test reaches the database during this one, clears every cache, then
	 * counts the stats from here. Called by the kit before each test method.
	 * @throws AssertionError if a write-behind queue does not empty in time
	 */
	public void reset() {
		WriteBehindQueues queues = this.queues.getIfUnique();
		if (queues != null) {
			queues.cacheNames().forEach((cache) -> awaitWriteBehind(cache, QUEUE_WAIT));
		}
		TieredCacheManager manager = this.manager.getIfUnique();
		if (manager != null) {
			for (String name : manager.getCacheNames()) {
				TieredCache cache = manager.getTieredCache(name);
				cache.clear();
				this.cacheBaselines.put(name, cache.stats());
			}
		}
		if (queues != null) {
			queues.cacheNames().forEach((cache) -> this.queueBaselines.put(cache, queues.stats(cache)));
		}
	}

	private TieredCacheManager manager() {
		return required(this.manager.getIfUnique(), "TieredCacheManager");
	}

	private WriteBehindQueues queues() {
		return required(this.queues.getIfUnique(), "WriteBehindQueues (no method has @WriteBehind)");
	}

	private static <T> T required(@Nullable T bean, String what) {
		if (bean == null) {
			throw new IllegalStateException("The test's application context has no single " + what);
		}
		return bean;
	}

	private static void pause() {
		try {
			Thread.sleep(POLL.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting for write-behind", ex);
		}
	}

}
