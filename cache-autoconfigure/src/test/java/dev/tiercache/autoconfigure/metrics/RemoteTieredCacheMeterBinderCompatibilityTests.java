package dev.tiercache.autoconfigure.metrics;

import dev.tiercache.tier.CacheMode;

/**
 * Micrometer's cache meter compatibility kit passes for {@link TieredCacheMeterBinder} over a Redis-only cache, which has no L1 to size.
 */
class RemoteTieredCacheMeterBinderCompatibilityTests extends TieredCacheMeterBinderKit {

	RemoteTieredCacheMeterBinderCompatibilityTests() {
		super(CacheMode.REMOTE);
	}

}
