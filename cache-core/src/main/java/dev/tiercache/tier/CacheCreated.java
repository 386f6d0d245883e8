package dev.tiercache.tier;

/**
 * Published (as a Spring application event) for each cache of a {@link TieredCacheManager}: for the
 * declared ones when the manager first starts (the application context is refreshed), for others when
 * first used.
 *
 * <p>Delivered on the manager's event thread, never on the thread that saw the change, in the order
 * the manager published its events; dropped (and logged) if 1,024 events already wait for slow
 * listeners.
 *
 * @param cacheName the cache's name
 * @param settings its settings
 */
public record CacheCreated(String cacheName, CacheSettings settings) {
}
