package dev.tiercache.writebehind;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.RemoteCallException;

/**
 * The log of one queue's Redis failures: a warning at most every 30 s while the queue runs, the rest
 * (and every failure while it drains) at debug level. Thread-safe.
 */
final class QueueFailures {

	private static final Log logger = LogFactory.getLog(WriteBehindQueue.class);

	private final String cacheName;

	private final FlushGate gate;

	private final RateLimit warnings = new RateLimit(Duration.ofSeconds(30));

	QueueFailures(String cacheName, FlushGate gate) {
		this.cacheName = cacheName;
		this.gate = gate;
	}

	/** Logs that the queue could not do {@code action} because Redis failed. */
	void redisFailed(String action, RemoteCallException ex) {
		if (!this.gate.stopping() && this.warnings.allow()) {
			logger.warn("Tiercache write-behind of cache '" + this.cacheName + "' could not " + action + ": "
					+ ex.getMessage());
		}
		else {
			logger.debug("Tiercache write-behind of cache '" + this.cacheName + "' could not " + action, ex);
		}
	}

}
