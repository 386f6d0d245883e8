package dev.tiercache.autoconfigure.actuate;

import java.util.Map;
import java.util.TreeMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * The {@code tiercache} health contributor: {@code DOWN} while the Redis circuit breaker keeps calls
 * from Redis (open, half-open or recovering), {@code UP} otherwise, with the breaker's state, the
 * invalidation mode and the write-behind backlog per cache in its details.
 *
 * <p>It never waits for Redis beyond one bounded read: the backlog is read only while the breaker
 * admits calls, each read within {@code tiercache.redis.timeout}; while the breaker is open it is not
 * read at all, so a health request answers at once even while Redis is black-holed.
 */
public class TiercacheHealthIndicator implements HealthIndicator {

	private final TieredCacheManager manager;

	private final @Nullable WriteBehindQueues queues;

	public TiercacheHealthIndicator(TieredCacheManager manager, @Nullable WriteBehindQueues queues) {
		this.manager = manager;
		this.queues = queues;
	}

	@Override
	public Health health() {
		RedisCircuitBreaker breaker = this.manager.redisCircuitBreaker();
		boolean admits = breaker == null || breaker.admits();
		Health.Builder health = admits ? Health.up() : Health.down();
		if (breaker != null) {
			CircuitBreaker.State state = breaker.state();
			health.withDetail("breaker", state.name());
			if (!admits) {
				health.withDetail("reason", "Redis failed or was slow too often; caches serve from L1 and their"
						+ " loaders while it is probed in the background");
			}
		}
		CoherenceMode mode = this.manager.coherenceMode();
		if (mode != null) {
			health.withDetail("invalidationMode", mode.name());
		}
		WriteBehindQueues writeBehind = this.queues;
		if (writeBehind != null && !writeBehind.cacheNames().isEmpty()) {
			health.withDetail("writeBehindBacklog", admits ? backlog(writeBehind) : "not read: Redis is not called");
		}
		return health.build();
	}

	private static Map<String, Object> backlog(WriteBehindQueues writeBehind) {
		Map<String, Object> backlog = new TreeMap<>();
		for (String cache : writeBehind.cacheNames()) {
			try {
				backlog.put(cache, writeBehind.stats(cache).depth());
			}
			catch (RuntimeException ex) {
				backlog.put(cache, "unknown: " + ex.getMessage());
			}
		}
		return backlog;
	}

}
