package dev.tiercache.tier;

import java.time.Instant;

/**
 * Published (as a Spring application event) when the circuit breaker stops calling Redis: caches serve
 * from L1 and their loaders, and write-behind calls are refused, until {@link RedisCallsResumed}.
 *
 * <p>Delivered on the manager's event thread, never on the thread that saw the change, in the order
 * the manager published its events; dropped (and logged) if 1,024 events already wait for slow
 * listeners.
 *
 * @param at when the breaker opened
 */
public record RedisCallsStopped(Instant at) {
}
