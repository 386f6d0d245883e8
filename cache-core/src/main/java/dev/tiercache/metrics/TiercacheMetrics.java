package dev.tiercache.metrics;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.tier.TieredCacheManager.RedisMemory;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindStats;

/**
 * Binds Tiercache's counters to Micrometer as {@code tiercache.*} meters, for every cache of a
 * manager (including those created later on first use) and every write-behind queue.
 *
 * <p>Meters read the caches' own counters when they are published (function counters and gauges):
 * a cache hit makes no Micrometer call. The one meter recorded as things happen is the load timer
 * {@code tiercache.load.duration}, on the loading thread, so that percentiles and histograms can be
 * turned on for it. Write-behind gauges read the queue's lag from Redis at most once a second per
 * queue; while Redis does not answer they read as NaN. Thread-safe.
 */
public final class TiercacheMetrics implements MeterBinder {

	private static final String CACHE = "cache";

	private static final String TIER = "tier";

	private static final String RESULT = "result";

	private final TieredCacheManager manager;

	private final @Nullable WriteBehindQueues writeBehind;

	/** Held here: Micrometer keeps only weak references to the objects its meters read. */
	private final List<QueueMeters> queueMeters = new CopyOnWriteArrayList<>();

	/**
	 * @param manager the caches to measure
	 * @param writeBehind the write-behind queues to measure, or {@code null} for none
	 */
	public TiercacheMetrics(TieredCacheManager manager, @Nullable WriteBehindQueues writeBehind) {
		this.manager = manager;
		this.writeBehind = writeBehind;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.manager.forEachCache((cache) -> bindCache(registry, cache));
		bindInvalidations(registry);
		RedisCircuitBreaker breaker = this.manager.redisCircuitBreaker();
		if (breaker != null) {
			bindBreaker(registry, breaker);
			bindRedisMemory(registry);
		}
		WriteBehindQueues queues = this.writeBehind;
		if (queues != null) {
			queues.forEachQueue((cache) -> {
				QueueMeters meters = new QueueMeters(queues, cache);
				this.queueMeters.add(meters);
				meters.bindTo(registry);
			});
		}
	}

	private static void bindCache(MeterRegistry registry, TieredCache cache) {
		Tags tags = Tags.of(CACHE, cache.getName());
		gets(registry, cache, tags, "local", "hit", CacheStats::localHits);
		gets(registry, cache, tags, "local", "null_hit", CacheStats::localNullHits);
		gets(registry, cache, tags, "local", "miss", CacheStats::localMisses);
		gets(registry, cache, tags, "remote", "hit", CacheStats::remoteHits);
		gets(registry, cache, tags, "remote", "null_hit", CacheStats::remoteNullHits);
		gets(registry, cache, tags, "remote", "miss", CacheStats::remoteMisses);
		gets(registry, cache, tags, "remote", "stale_hit", CacheStats::staleHits);
		gets(registry, cache, tags, "remote", "fail_safe_hit", CacheStats::failSafeHits);
		counter(registry, "tiercache.loads", "loads by outcome", cache, tags.and(RESULT, "success"),
				(stats) -> stats.loads() - stats.loadFailures());
		counter(registry, "tiercache.loads", "loads by outcome", cache, tags.and(RESULT, "failure"),
				CacheStats::loadFailures);
		counter(registry, "tiercache.loads", "loads by outcome", cache, tags.and(RESULT, "rejected"),
				CacheStats::loadsRejected);
		Timer loadTimer = Timer.builder("tiercache.load.duration")
			.description("time the loader (the cached method) took")
			.tags(tags)
			.register(registry);
		cache.recordLoadTimes((nanos) -> loadTimer.record(nanos, TimeUnit.NANOSECONDS));
		counter(registry, "tiercache.coalesced", "callers served by another caller's load", cache,
				tags.and(TIER, "local"), CacheStats::localWaits);
		counter(registry, "tiercache.coalesced", "callers served by another caller's load", cache,
				tags.and(TIER, "remote"), CacheStats::remoteWaits);
		FunctionTimer.builder("tiercache.lock.wait", cache, (measured) -> measured.stats().localWaits(),
				(measured) -> measured.stats().localWaitTime().toNanos(), TimeUnit.NANOSECONDS)
			.description("time callers waited for another caller's load")
			.tags(tags.and(TIER, "local"))
			.register(registry);
		FunctionTimer.builder("tiercache.lock.wait", cache, (measured) -> measured.stats().remoteWaits(),
				(measured) -> measured.stats().remoteWaitTime().toNanos(), TimeUnit.NANOSECONDS)
			.description("time callers waited for another caller's load")
			.tags(tags.and(TIER, "remote"))
			.register(registry);
		counter(registry, "tiercache.evictions", "entries L1 dropped for room", cache, tags, CacheStats::evictions);
		errors(registry, cache, tags, "redis", CacheStats::remoteErrors);
		errors(registry, cache, tags, "encode", CacheStats::encodeFailures);
		errors(registry, cache, tags, "decode", CacheStats::decodeFailures);
		errors(registry, cache, tags, "refresh", CacheStats::refreshFailures);
		counter(registry, "tiercache.refreshes", "background reloads", cache, tags.and(RESULT, "started"),
				CacheStats::refreshes);
		counter(registry, "tiercache.refreshes", "background reloads", cache, tags.and(RESULT, "dropped"),
				CacheStats::refreshesDropped);
		Gauge.builder("tiercache.size", cache, TieredCache::localSize)
			.description("entries in L1")
			.tags(tags.and(TIER, "local"))
			.register(registry);
	}

	private static void gets(MeterRegistry registry, TieredCache cache, Tags tags, String tier, String result,
			ToLongFunction<CacheStats> count) {
		counter(registry, "tiercache.gets", "reads by tier and result", cache, tags.and(TIER, tier, RESULT, result),
				count);
	}

	private static void errors(MeterRegistry registry, TieredCache cache, Tags tags, String operation,
			ToLongFunction<CacheStats> count) {
		counter(registry, "tiercache.errors", "failures that did not reach the caller, by operation", cache,
				tags.and("operation", operation), count);
	}

	private static void counter(MeterRegistry registry, String name, String description, TieredCache cache,
			Tags tags, ToLongFunction<CacheStats> count) {
		FunctionCounter.builder(name, cache, (measured) -> count.applyAsLong(measured.stats()))
			.description(description)
			.tags(tags)
			.register(registry);
	}

	private void bindInvalidations(MeterRegistry registry) {
		FunctionCounter.builder("tiercache.invalidations", this.manager, TieredCacheManager::invalidationsReceived)
			.description("changed keys this instance was told of, to drop from L1")
			.tags("direction", "received")
			.register(registry);
		FunctionCounter.builder("tiercache.invalidations", this.manager, TieredCacheManager::invalidationsSent)
			.description("changed keys this instance published to the others (published mode only)")
			.tags("direction", "sent")
			.register(registry);
	}

	/**
	 * Redis's memory and evictions, read from {@code INFO} at most every 5 s; the gauges read NaN while no
	 * reading succeeded lately.
	 */
	private void bindRedisMemory(MeterRegistry registry) {
		Gauge.builder("tiercache.redis.memory.used", this.manager,
				(manager) -> memory(manager, RedisMemory::usedBytes))
			.description("memory Redis uses (used_memory; on a cluster, its primaries' added up)")
			.baseUnit(BaseUnits.BYTES)
			.register(registry);
		Gauge.builder("tiercache.redis.memory.max", this.manager,
				(manager) -> memory(manager, RedisMemory::maxBytes))
			.description("Redis's memory limit (maxmemory); 0 for none")
			.baseUnit(BaseUnits.BYTES)
			.register(registry);
		// a gauge, not a counter: Redis's own count since it started, which a restart or a failover resets
		Gauge.builder("tiercache.redis.evicted.keys", this.manager,
				(manager) -> memory(manager, RedisMemory::evictedKeys))
			.description("keys Redis evicted for room since it started (evicted_keys)")
			.register(registry);
	}

	private static double memory(TieredCacheManager manager, ToDoubleFunction<RedisMemory> figure) {
		RedisMemory memory = manager.redisMemory();
		return (memory != null) ? figure.applyAsDouble(memory) : Double.NaN;
	}

	/** One gauge per state, 1 for the breaker's current state and 0 for the others. */
	private static void bindBreaker(MeterRegistry registry, RedisCircuitBreaker breaker) {
		for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
			Gauge.builder("tiercache.breaker.state", breaker, (measured) -> (measured.state() == state) ? 1 : 0)
				.description("the Redis circuit breaker's state: 1 for the current one")
				.tags("state", state.name().toLowerCase(Locale.ROOT))
				.register(registry);
		}
	}

	/** The meters of one write-behind queue, reading its lag from Redis at most once a second. */
	private static final class QueueMeters {

		private final WriteBehindQueues queues;

		private final String cache;

		QueueMeters(WriteBehindQueues queues, String cache) {
			this.queues = queues;
			this.cache = cache;
		}

		void bindTo(MeterRegistry registry) {
			Tags tags = Tags.of(CACHE, this.cache);
			gauge(registry, "tiercache.writebehind.pending", "queued writes not applied yet, across all instances",
					tags, (stats) -> stats.depth());
			TimeGauge.builder("tiercache.writebehind.oldest.age", this, TimeUnit.MILLISECONDS,
					(meters) -> meters.read(WriteBehindStats::oldestAgeMillis))
				.description("age of the oldest queued write")
				.tags(tags)
				.register(registry);
			gauge(registry, "tiercache.writebehind.dead", "writes in the dead-letter stream", tags,
					(stats) -> stats.deadLetters());
			FunctionCounter.builder("tiercache.writebehind.retries", this,
					(meters) -> meters.read((stats) -> stats.retries()))
				.description("retried write calls of this instance")
				.tags(tags)
				.register(registry);
			FunctionCounter.builder("tiercache.writebehind.refused", this.queues,
					(queues) -> queues.refusedCalls(this.cache))
				.description("calls this instance neither queued nor ran (WriteBehindUnavailableException)")
				.tags(tags)
				.register(registry);
		}

		private void gauge(MeterRegistry registry, String name, String description, Tags tags,
				ToDoubleFunction<WriteBehindStats> value) {
			Gauge.builder(name, this, (meters) -> meters.read(value)).description(description).tags(tags)
				.register(registry);
		}

		/** A figure of the queue's {@linkplain WriteBehindQueues#recentStats recent lag}; NaN while Redis does not answer. */
		private double read(ToDoubleFunction<WriteBehindStats> value) {
			WriteBehindStats stats = this.queues.recentStats(this.cache);
			return (stats != null) ? value.applyAsDouble(stats) : Double.NaN;
		}

	}

}
