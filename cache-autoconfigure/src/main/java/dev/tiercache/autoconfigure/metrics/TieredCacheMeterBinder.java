package dev.tiercache.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;

/**
 * Boot's cache meters ({@code cache.gets}, {@code cache.puts}, {@code cache.evictions},
 * {@code cache.size}) for one {@link TieredCache}, counting the cache as a whole: a hit is a value
 * found in either tier, a miss a read that found it in neither. As Micrometer does for Caffeine, a
 * put is a value the cache loaded. A cache without L1 has no {@code cache.size}: only Redis knows how
 * many entries it holds. The per-tier detail is in the {@code tiercache.*} meters. The cache is held
 * weakly, as {@link CacheMeterBinder} means it to be, so that the meters do not keep a discarded cache
 * alive; once it is collected they read zero.
 */
final class TieredCacheMeterBinder extends CacheMeterBinder<TieredCache> {

	TieredCacheMeterBinder(TieredCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
	}

	@Override
	protected @Nullable Long size() {
		TieredCache cache = getCache();
		if (cache == null) {
			return 0L;
		}
		return cache.settings().usesLocal() ? cache.localSize() : null;
	}

	@Override
	protected long hitCount() {
		TieredCache cache = getCache();
		return (cache != null) ? cache.stats().hits() : 0;
	}

	@Override
	protected Long missCount() {
		TieredCache cache = getCache();
		return (cache != null) ? Math.max(0, cache.stats().misses(cache.settings().usesLocal())) : 0L;
	}

	@Override
	protected Long evictionCount() {
		TieredCache cache = getCache();
		return (cache != null) ? cache.stats().evictions() : 0L;
	}

	@Override
	protected long putCount() {
		TieredCache cache = getCache();
		if (cache == null) {
			return 0;
		}
		CacheStats stats = cache.stats();
		return stats.loads() - stats.loadFailures();
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		// the tiercache.* meters cover the rest
	}

}
