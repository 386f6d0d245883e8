package dev.tiercache.tier;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.ratelimiter.RateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * What bounds one cache's loads in this instance ({@link LoadRoom}): how many run at once, and how many
 * keys callers load per second.
 * @param concurrent the load bulkhead, or {@code null} for no bound
 * @param newKeys the limit on loads by callers per second, or {@code null} for none
 */
record LoadLimits(@Nullable Bulkhead concurrent, @Nullable RateLimiter newKeys) {
}
