package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.tier.TiercacheEvent.WriteDeadLettered;

/**
 * The log of one queue's failures, under the queue's category: Redis failures as a warning at most
 * every 30 s while the queue runs, the rest (and every one while it drains) at debug level; and each
 * dead letter as a warning and a {@link WriteDeadLettered} event. Thread-safe.
 */
final class QueueFailures {

	private static final Log logger = LogFactory.getLog(WriteBehindQueue.class);

	private final String cacheName;

	private final FlushGate gate;

	private final RateLimit warnings = new RateLimit(Duration.ofSeconds(30));

	private final Consumer<WriteDeadLettered> deadLetters;

	QueueFailures(String cacheName, FlushGate gate, Consumer<WriteDeadLettered> deadLetters) {
		this.cacheName = cacheName;
		this.gate = gate;
		this.deadLetters = deadLetters;
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

	/** Logs that an entry moved to the dead letters, and tells the listener, which must not throw. */
	void deadLettered(QueueEntry entry, String error, int attempts) {
		logger.warn("Tiercache moved a write-behind entry of cache '" + this.cacheName + "' (key " + entry.key() + ", "
				+ entry.method() + ") to the dead letters after " + attempts + " attempt(s): " + error);
		this.deadLetters.accept(new WriteDeadLettered(this.cacheName, entry.key(), entry.method(), error, attempts));
	}

}
