package dev.tiercache.consistency.checker;

/**
 * A Redis call an instance saw fail (time out, be refused, or not be made while the instance's breaker
 * was open), as its error handler reported it: whether the nemesis caused it or not.
 *
 * @param node the instance that saw it
 * @param at when ({@code System.nanoTime()}, shared by every process)
 * @param cache the cache that made the call
 * @param error what failed
 */
public record RedisFailure(int node, long at, String cache, String error) {
}
