package dev.tiercache.tier;

import java.time.Duration;
import java.time.Instant;

/**
 * Published (as a Spring application event) when Redis answers again after {@link RedisCallsStopped}
 * and callers use it again: the writes Redis missed were made and every L1 cleared first.
 *
 * <p>Delivered on the manager's event thread, never on the thread that saw the change, in the order
 * the manager published its events; dropped (and logged) if 1,024 events already wait for slow
 * listeners.
 *
 * @param at when callers were admitted again
 * @param outage how long Redis was not called
 */
public record RedisCallsResumed(Instant at, Duration outage) {
}
