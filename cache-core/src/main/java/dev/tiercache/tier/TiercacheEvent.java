package dev.tiercache.tier;

import java.time.Duration;
import java.time.Instant;

/**
 * What Tiercache publishes as Spring application events: a listener of {@code TiercacheEvent} receives
 * them all, a listener of one of the records only that kind.
 *
 * <p>An event is never delivered on the thread that saw the change (a caller's, Redis's probe, a
 * write-behind flusher): the cache manager and the write-behind queues each hand their events to one
 * thread of their own, which delivers them in the order they were published. An event is dropped (and
 * logged) when 1,024 events already wait for slow listeners, so a listener never holds up a caller;
 * {@link RedisCallsStopped} and {@link RedisCallsResumed} are not: the oldest other event waiting is
 * dropped for them, so that a listener that follows whether Redis is used never misses a change.
 */
public sealed interface TiercacheEvent {

	/**
	 * A cache of a {@link TieredCacheManager} came into use: the declared ones when the manager first
	 * starts (the application context is refreshed), the others when first used.
	 *
	 * @param cacheName the cache's name
	 * @param settings its settings
	 */
	record CacheCreated(String cacheName, CacheSettings settings) implements TiercacheEvent {
	}

	/**
	 * The circuit breaker stopped calling Redis: caches serve from L1 and their loaders, and write-behind
	 * calls are refused, until {@link RedisCallsResumed}.
	 *
	 * @param at when the breaker opened
	 */
	record RedisCallsStopped(Instant at) implements TiercacheEvent {
	}

	/**
	 * Redis answers again after {@link RedisCallsStopped} and callers use it again: the writes Redis
	 * missed were made and every L1 cleared first.
	 *
	 * @param at when callers were admitted again
	 * @param outage how long Redis was not called
	 */
	record RedisCallsResumed(Instant at, Duration outage) implements TiercacheEvent {
	}

	/**
	 * A queued {@code @WriteBehind} call failed every attempt and moved to the dead letters, where
	 * {@code WriteBehindQueues.deadLetters} lists it and {@code WriteBehindQueues.requeue} puts it back.
	 * Its key was evicted from the cache.
	 *
	 * @param cache the cache
	 * @param key the key, as Redis names it
	 * @param method the id of the {@code @WriteBehind} method
	 * @param error the last failure
	 * @param attempts how many times it was tried
	 */
	record WriteDeadLettered(String cache, String key, String method, String error, int attempts)
			implements TiercacheEvent {
	}

}
