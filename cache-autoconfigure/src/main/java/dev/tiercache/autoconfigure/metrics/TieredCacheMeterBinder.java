package dev.tiercache.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;

/**
 * Boot's cache meters ({@code cache.gets}, {@code cache.puts}, {@code cache.evictions},
 * {@code cache.size}) for one {@link TieredCache}, counting the cache as a whole: a hit is a value
 * found in either tier, a miss a read that found it in neither. As Micrometer does for Caffeine, a
 * put is a value the cache loaded. The per-tier detail is in the {@code tiercache.*} meters.
 */
final class TieredCacheMeterBinder extends CacheMeterBinder<TieredCache> {

	private final TieredCache cache;

	TieredCacheMeterBinder(TieredCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
		this.cache = cache;
	}

	@Override
	protected Long size() {
		return this.cache.localSize();
	}

	@Override
	protected long hitCount() {
		return this.cache.stats().hits();
	}

	@Override
	protected Long missCount() {
		return Math.max(0, this.cache.stats().misses(this.cache.settings().usesLocal()));
	}

	@Override
	protected Long evictionCount() {
		return this.cache.stats().evictions();
	}

	@Override
	protected long putCount() {
		CacheStats stats = this.cache.stats();
		return stats.loads() - stats.loadFailures();
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		// the tiercache.* meters cover the rest
	}

}
