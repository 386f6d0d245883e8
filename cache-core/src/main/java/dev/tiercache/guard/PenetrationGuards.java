package dev.tiercache.guard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.redis.RedisConnection;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * The penetration guards of a manager's caches, one per cache configured with one: each is attached
 * to its cache at once (open until a filter is built) and refreshed from Redis every
 * {@link GuardSettings#refreshInterval()} on a daemon thread, until {@link #close()}, which detaches
 * them. They share the manager's Redis connection. Thread-safe.
 */
public final class PenetrationGuards implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PenetrationGuards.class);

	private final Map<String, PenetrationGuard> guards = new LinkedHashMap<>();

	private final ScheduledExecutorService refreshes;

	/**
	 * @param manager the caches to guard
	 * @param settings the guarded caches' settings, by cache name
	 * @throws IllegalArgumentException if a named cache does not exist or does not use Redis
	 */
	public PenetrationGuards(TieredCacheManager manager, Map<String, GuardSettings> settings) {
		RedisConnection redis = manager.redisConnection();
		settings.forEach((name, guard) -> {
			TieredCache cache = manager.getCache(name);
			if (cache == null || redis == null || !cache.settings().usesRemote()) {
				throw new IllegalArgumentException("Cache '" + name + "' has a penetration guard ('tiercache.caches."
						+ name + ".guard'), but " + ((cache == null) ? "the manager has no such cache"
								: "it does not use Redis (mode " + cache.settings().mode() + ")")
						+ "; a guard's filter is kept in Redis");
			}
			this.guards.put(name, new PenetrationGuard(cache, guard, redis.commands(), redis.keys()));
		});
		this.refreshes = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-guards"));
		for (PenetrationGuard guard : this.guards.values()) {
			long interval = guard.settings().refreshInterval().toMillis();
			this.refreshes.scheduleWithFixedDelay(Periodic.surviving(guard::refresh, logger,
					"refresh the penetration guard of cache '" + guard.cacheName() + "'"), 0, interval,
					TimeUnit.MILLISECONDS);
			guard.attach();
		}
	}

	/** The names of the guarded caches. */
	public Set<String> cacheNames() {
		return this.guards.keySet();
	}

	/** The cache's guard, or {@code null} if it has none. */
	public @Nullable PenetrationGuard guard(String cache) {
		return this.guards.get(cache);
	}

	/** Detaches every guard from its cache (loads run unguarded from now on) and stops refreshing them. */
	@Override
	public void close() {
		this.refreshes.shutdownNow();
		this.guards.values().forEach((guard) -> guard.detach());
	}

}
