/**
 * The two-tier cache: {@link dev.tiercache.tier.TieredCache} (a Spring {@code Cache} facade) over Caffeine (L1) and Redis (L2), and the
 * {@link dev.tiercache.tier.TieredCacheManager} that owns them. Inside: the read-through with its lease loop, L1 with its
 * write generations, and the Redis tier behind one error policy, with repairs for writes Redis did not take.
 */
@NullMarked
package dev.tiercache.tier;

import org.jspecify.annotations.NullMarked;
