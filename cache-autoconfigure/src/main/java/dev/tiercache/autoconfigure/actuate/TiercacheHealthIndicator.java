package dev.tiercache.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindStats;

/**
 * The {@code tiercache} health contributor: always {@code UP}, since callers are served whatever Redis
 * does (while the Redis circuit breaker keeps calls from Redis, from L1 and their loaders), so that a
 * Redis blip never takes instances out of their load balancer. Its details say what is degraded: the
 * breaker's state (and why Redis is not called while it is open), the invalidation mode, Redis's memory
 * (used, limit, evictions and policy, read from {@code INFO} at most every 5 s) and the write-behind
 * backlog per cache.
 *
 * <p>It never waits for Redis beyond bounded reads: the backlog is the queue's
 * {@linkplain WriteBehindQueues#recentStats recent lag}, read from Redis at most once a second, and the
 * memory figures at most every 5 s, however often health is asked for, and only while the breaker
 * admits calls. While the breaker is
 * open it is not read at all, so a health request answers at once even while Redis is black-holed.
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
		Health.Builder health = Health.up();
		if (breaker != null) {
			health.withDetail("breaker", breaker.state().name());
			if (!admits) {
				health.withDetail("reason", "Redis failed or was slow too often; caches serve from L1 and their"
						+ " loaders while it is probed in the background");
			}
		}
		CoherenceMode mode = this.manager.coherenceMode();
		if (mode != null) {
			health.withDetail("invalidationMode", mode.name());
		}
		TieredCacheManager.RedisMemory memory = admits ? this.manager.redisMemory() : null;
		if (memory != null) {
			health.withDetail("redisMemory", memory(memory));
		}
		WriteBehindQueues writeBehind = this.queues;
		if (writeBehind != null && !writeBehind.cacheNames().isEmpty()) {
			health.withDetail("writeBehindBacklog", admits ? backlog(writeBehind) : "not read: Redis is not called");
		}
		return health.build();
	}

	private static Map<String, Object> memory(TieredCacheManager.RedisMemory memory) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("usedBytes", memory.usedBytes());
		details.put("maxBytes", memory.maxBytes());
		if (memory.maxBytes() > 0) {
			details.put("usedPercent", Math.round(memory.usedRatio() * 1000) / 10.0);
		}
		details.put("evictedKeys", memory.evictedKeys());
		details.put("policy", memory.policy());
		return details;
	}

	private static Map<String, Object> backlog(WriteBehindQueues writeBehind) {
		Map<String, Object> backlog = new TreeMap<>();
		for (String cache : writeBehind.cacheNames()) {
			WriteBehindStats stats = writeBehind.recentStats(cache);
			backlog.put(cache, (stats != null) ? stats.depth() : "unknown: Redis does not answer");
		}
		return backlog;
	}

}
