package dev.tiercache.writebehind;

/**
 * Published (as a Spring application event) when a queued {@code @WriteBehind} call failed every
 * attempt and moved to the dead letters, where {@link WriteBehindQueues#deadLetters} lists it and
 * {@link WriteBehindQueues#requeue} puts it back. Its key was evicted from the cache.
 *
 * <p>Delivered on the write-behind queues' event thread, never on a flusher's, in the order the queues
 * published their events; dropped (and logged) if 1,024 events already wait for slow listeners.
 *
 * @param cache the cache
 * @param key the key, as Redis names it
 * @param method the id of the {@code @WriteBehind} method
 * @param error the last failure
 * @param attempts how many times it was tried
 */
public record WriteDeadLettered(String cache, String key, String method, String error, int attempts) {
}
