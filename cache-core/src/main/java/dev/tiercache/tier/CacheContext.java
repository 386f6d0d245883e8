package dev.tiercache.tier;

import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.stats.StatsRecorder;

/**
 * What the parts of one cache share: its name, settings, counters and L1, and the one policy for
 * failures that must not reach callers. A Redis error is counted and logged at most every
 * {@value #LOG_INTERVAL_SECONDS} s (the rest at debug level); so is an entry that cannot be read.
 * Thread-safe.
 */
final class CacheContext {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private static final long LOG_INTERVAL_SECONDS = 30;

	private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS);

	private final String name;

	private final CacheSettings settings;

	private final StatsRecorder stats = new StatsRecorder();

	private final @Nullable LocalTier local;

	private final RateLimit remoteErrorLog = new RateLimit();

	private final RateLimit decodeFailureLog = new RateLimit();

	CacheContext(String name, CacheSettings settings, @Nullable LocalTier local) {
		this.name = name;
		this.settings = settings;
		this.local = local;
	}

	String name() {
		return this.name;
	}

	CacheSettings settings() {
		return this.settings;
	}

	StatsRecorder stats() {
		return this.stats;
	}

	@Nullable LocalTier local() {
		return this.local;
	}

	/** Counts and logs a Redis call that failed; the caller goes on as if L2 missed. */
	void remoteFailed(RemoteCallException ex) {
		this.stats.remoteError();
		if (this.remoteErrorLog.allow()) {
			logger.warn("Tiercache cache '" + this.name + "' cannot use Redis and is serving from its loader and L1"
					+ " (further errors within " + LOG_INTERVAL_SECONDS + " s are logged at debug level): "
					+ ex.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + this.name + "' Redis call failed", ex);
		}
	}

	/** Counts and logs a stored entry that could not be read. */
	void decodeFailed(String what) {
		this.stats.decodeFailure();
		if (this.decodeFailureLog.allow()) {
			logger.warn("Tiercache cache '" + this.name + "' " + what + " (further ones within "
					+ LOG_INTERVAL_SECONDS + " s are logged at debug level)");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + this.name + "' " + what);
		}
	}

	@Override
	public String toString() {
		return "cache '" + this.name + "'";
	}

	/** Lets one event through per interval. */
	private static final class RateLimit {

		private volatile long lastNanos;

		private volatile boolean used;

		synchronized boolean allow() {
			long now = System.nanoTime();
			if (this.used && now - this.lastNanos < LOG_INTERVAL_NANOS) {
				return false;
			}
			this.used = true;
			this.lastNanos = now;
			return true;
		}

	}

}
