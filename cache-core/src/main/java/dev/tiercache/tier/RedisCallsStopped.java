package dev.tiercache.tier;

import java.time.Instant;

/**
 * Published (as a Spring application event) when the circuit breaker stops calling Redis: caches serve
 * from L1 and their loaders, and write-behind calls are refused, until {@link RedisCallsResumed}.
 *
 * @param at when the breaker opened
 */
public record RedisCallsStopped(Instant at) {
}
