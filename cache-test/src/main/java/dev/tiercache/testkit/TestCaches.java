package dev.tiercache.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
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
 * give them. Thread-safe, but the baselines are the context's: tests that share a context and run in
 * parallel reset each other's caches and counts, so run them one at a time.
 */
public final class TestCaches {

	/** How long {@link #reset()} waits for the write-behind queues to empty. */
	public static final Duration QUEUE_WAIT = Duration.ofSeconds(30);

	private static final Duration POLL = Duration.ofMillis(50);

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
	 * @throws AssertionError if entries are still queued after {@code timeout} (saying how many), or
	 * Redis did not answer meanwhile
	 */
	public void awaitWriteBehind(String cache, Duration timeout) {
		awaitEmpty(queues(), List.of(cache), System.nanoTime() + timeout.toNanos(), timeout);
	}

	/**
	 * Starts a test afresh: waits (up to {@link #QUEUE_WAIT} for all of them) for every write-behind queue
	 * to empty, so that what the earlier tests queued has been applied; clears every cache, failing if
	 * Redis did not take the clear; then counts the stats from here. Called by the kit before each test
	 * method.
	 * @throws AssertionError if a write-behind queue does not empty in time, or a cache could not be
	 * cleared in Redis
	 */
	public void reset() {
		WriteBehindQueues queues = this.queues.getIfUnique();
		if (queues != null) {
			awaitEmpty(queues, queues.cacheNames(), System.nanoTime() + QUEUE_WAIT.toNanos(), QUEUE_WAIT);
		}
		TieredCacheManager manager = this.manager.getIfUnique();
		if (manager != null) {
			for (String name : manager.getCacheNames()) {
				TieredCache cache = manager.getTieredCache(name);
				long remoteErrors = cache.stats().remoteErrors();
				cache.clear();
				CacheStats cleared = cache.stats();
				if (cleared.remoteErrors() > remoteErrors) {
					throw new AssertionError("Could not clear cache '" + name + "' in Redis (the call failed; "
							+ "Tiercache clears it once Redis answers): is the test Redis up?");
				}
				this.cacheBaselines.put(name, cleared);
			}
		}
		if (queues != null) {
			queues.cacheNames().forEach((cache) -> this.queueBaselines.put(cache, queues.stats(cache)));
		}
	}

	/** Waits until the queues of {@code caches} are empty, polling through Redis failures, until the deadline. */
	private static void awaitEmpty(WriteBehindQueues queues, Collection<String> caches, long deadline,
			Duration timeout) {
		for (String cache : caches) {
			Object last = null;
			while (true) {
				try {
					long depth = queues.stats(cache).depth();
					if (depth == 0) {
						break;
					}
					last = depth + " entries";
				}
				catch (IllegalStateException ex) {
					last = "Redis not answering: " + ex.getMessage();
				}
				if (System.nanoTime() - deadline >= 0) {
					throw new AssertionError("The write-behind queue of cache '" + cache + "' is not empty after "
							+ timeout + " (" + last + "): its writes are not being applied (see the log for the write "
							+ "method's failures, and the dead letters)");
				}
				pause();
			}
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
