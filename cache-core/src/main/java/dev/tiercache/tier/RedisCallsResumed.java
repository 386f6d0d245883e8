package dev.tiercache.tier;

import java.time.Duration;
import java.time.Instant;

/**
 * Published (as a Spring application event) when Redis answers again after {@link RedisCallsStopped}
 * and callers use it again: the writes Redis missed were made and every L1 cleared first.
 *
 * @param at when callers were admitted again
 * @param outage how long Redis was not called
 */
public record RedisCallsResumed(Instant at, Duration outage) {
}
