package dev.tiercache.writebehind;

/**
 * A write that failed {@code max-attempts} times, kept in the cache's dead-letter stream until it is
 * {@linkplain WriteBehindQueues#requeue re-queued} or {@linkplain WriteBehindQueues#drop dropped}.
 *
 * @param id its id: its partition and its id in the partition's dead-letter stream, {@code <partition>-<stream id>}
 * @param cache the cache name
 * @param key the cache key, as rendered in Redis
 * @param method the write method, as {@code Class#method(parameter types)}
 * @param error the last failure: exception class and message
 * @param attempts how many times it was tried
 * @param failedAtMillis when it became a dead letter (epoch milliseconds)
 */
public record DeadLetter(String id, String cache, String key, String method, String error, int attempts,
		long failedAtMillis) {
}
