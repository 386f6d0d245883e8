package dev.tiercache.writebehind;

/**
 * Published (as a Spring application event) when a queued {@code @WriteBehind} call failed every
 * attempt and moved to the dead letters, where {@link WriteBehindQueues#deadLetters} lists it and
 * {@link WriteBehindQueues#requeue} puts it back. Its key was evicted from the cache.
 *
 * @param cache the cache
 * @param key the key, as Redis names it
 * @param method the id of the {@code @WriteBehind} method
 * @param error the last failure
 * @param attempts how many times it was tried
 */
public record WriteDeadLettered(String cache, String key, String method, String error, int attempts) {
}
