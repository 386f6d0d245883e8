package dev.tiercache.autoconfigure.metrics;

import dev.tiercache.tier.CacheMode;

/**
 * Micrometer's cache meter compatibility kit passes for {@link TieredCacheMeterBinder} over a local-only cache.
 */
class LocalTieredCacheMeterBinderCompatibilityTests extends TieredCacheMeterBinderKit {

	LocalTieredCacheMeterBinderCompatibilityTests() {
		super(CacheMode.LOCAL);
	}

}
