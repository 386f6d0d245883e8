package dev.tiercache.tier;

/**
 * Published (as a Spring application event) for each cache of a {@link TieredCacheManager}: for the
 * declared ones when the manager first starts (the application context is refreshed), for others when
 * first used.
 *
 * @param cacheName the cache's name
 * @param settings its settings
 */
public record CacheCreated(String cacheName, CacheSettings settings) {
}
