package dev.tiercache.autoconfigure.metrics;

import dev.tiercache.tier.CacheMode;

/**
 * Micrometer's cache meter compatibility kit passes for {@link TieredCacheMeterBinder} over a two-tier cache (the default mode).
 */
class TieredCacheMeterBinderCompatibilityTests extends TieredCacheMeterBinderKit {

	TieredCacheMeterBinderCompatibilityTests() {
		super(CacheMode.BOTH);
	}

}
