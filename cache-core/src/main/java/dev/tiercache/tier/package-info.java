/**
 * The two-tier cache: {@link dev.tiercache.tier.TieredCache} (a Spring {@code Cache}) over Caffeine (L1) and Redis (L2), and the {@link dev.tiercache.tier.TieredCacheManager} that owns them.
 */
@NullMarked
package dev.tiercache.tier;

import org.jspecify.annotations.NullMarked;
