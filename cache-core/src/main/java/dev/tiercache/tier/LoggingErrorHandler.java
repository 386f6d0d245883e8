package dev.tiercache.tier;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.RateLimit;

/**
 * The default {@link TiercacheErrorHandler}: logs a Redis failure, an unreadable entry, and a failed
 * reload or fail-safe read (one limit for these two) as a warning at most every
 * {@value #LOG_INTERVAL_SECONDS} s per cache, the rest at debug level. Thread-safe.
 */
final class LoggingErrorHandler implements TiercacheErrorHandler {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private static final long LOG_INTERVAL_SECONDS = 30;

	/** How often a kind of failure is logged at warning level, at most. */
	private static final Duration LOG_INTERVAL = Duration.ofSeconds(LOG_INTERVAL_SECONDS);

	private final Map<String, Limits> limits = new ConcurrentHashMap<>();

	@Override
	public void onRedisFailure(String cacheName, RuntimeException failure) {
		if (limitsOf(cacheName).redis.allow()) {
			logger.warn("Tiercache cache '" + cacheName + "' cannot use Redis and is serving from its loader and L1"
					+ " (further errors within " + LOG_INTERVAL_SECONDS + " s are logged at debug level): "
					+ failure.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + cacheName + "' Redis call failed", failure);
		}
	}

	@Override
	public void onRefreshFailure(String cacheName, Object key, Throwable failure) {
		if (limitsOf(cacheName).loads.allow()) {
			logger.warn("Tiercache cache '" + cacheName + "' could not reload key '" + key + "' in the background"
					+ " (the cached value stays until it expires; further failures within " + LOG_INTERVAL_SECONDS
					+ " s are logged at debug level)", failure);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + cacheName + "' could not reload key '" + key + "'", failure);
		}
	}

	@Override
	public void onFailSafeServed(String cacheName, Object key, Throwable failure) {
		if (limitsOf(cacheName).loads.allow()) {
			logger.warn("Tiercache cache '" + cacheName + "' returned an expired value for key '" + key
					+ "' because its loader threw (fail-safe; further ones within " + LOG_INTERVAL_SECONDS
					+ " s are logged at debug level): " + failure);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + cacheName + "' served key '" + key + "' from fail-safe", failure);
		}
	}

	@Override
	public void onUnreadableEntry(String cacheName, String problem) {
		if (limitsOf(cacheName).entries.allow()) {
			logger.warn("Tiercache cache '" + cacheName + "' " + problem + " (further ones within "
					+ LOG_INTERVAL_SECONDS + " s are logged at debug level)");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + cacheName + "' " + problem);
		}
	}

	private Limits limitsOf(String cacheName) {
		Limits cache = this.limits.get(cacheName);
		return (cache != null) ? cache : this.limits.computeIfAbsent(cacheName, (name) -> new Limits());
	}

	@Override
	public String toString() {
		return "TiercacheErrorHandler.logging()";
	}

	/** One cache's limits. */
	private static final class Limits {

		final RateLimit redis = new RateLimit(LOG_INTERVAL);

		final RateLimit entries = new RateLimit(LOG_INTERVAL);

		final RateLimit loads = new RateLimit(LOG_INTERVAL);

	}

}
