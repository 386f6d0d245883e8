package dev.tiercache.tier;

/**
 * What a {@link TieredCacheManager}'s caches do with failures that must not reach their callers: a
 * Redis call that failed, a background reload whose loader threw, an expired value served because its
 * loader threw, and a stored entry that cannot be read. Set it with
 * {@link TieredCacheManager.Builder#errorHandler}; with Spring Boot, declare a bean of this type. The
 * default, {@link #logging()}, logs each kind of failure as a warning at most every 30 s per cache,
 * and the rest at debug level.
 *
 * <p><b>Guarantees.</b> A handler is told of a failure after the cache has counted it in its
 * {@link TieredCache#stats() stats} (so replacing the handler never changes the metrics) and before
 * the cache goes on: after a Redis failure as if Redis had missed (the loader runs, L1 keeps serving),
 * after a failed reload with the entry it was to replace. It is called on the thread that saw the
 * failure, often a caller's, so it should be quick and must not block. It should not throw: if it
 * does, the exception is logged and the cache call still does not fail. Called concurrently from many
 * threads and for every cache of the manager: implementations must be thread-safe.
 *
 * <p>To add to the default rather than replace it, delegate to a {@link #logging()} instance.
 */
public interface TiercacheErrorHandler {

	/**
	 * A Redis call failed, timed out, or was not made because Redis is unreachable (or its circuit
	 * breaker is open); the cache goes on as if Redis had missed.
	 * @param cacheName the cache that made the call
	 * @param failure what failed: its message names the call, its cause (if any) is the Redis client's exception
	 */
	void onRedisFailure(String cacheName, RuntimeException failure);

	/**
	 * A background reload (refresh-ahead, stale-while-revalidate, early expiry) failed, usually because
	 * its loader threw; the entry it was to replace stays until it expires.
	 * @param cacheName the cache of the entry
	 * @param key the key as the caller gave it
	 * @param failure what the reload threw: for a loader given as a {@code Callable}, Spring's
	 * {@link org.springframework.cache.Cache.ValueRetrievalException} with the loader's exception as its cause
	 */
	void onRefreshFailure(String cacheName, Object key, Throwable failure);

	/**
	 * A read returned an expired value in place of its loader's exception, as the cache's fail-safe
	 * window allows.
	 * @param cacheName the cache of the entry
	 * @param key the key as the caller gave it
	 * @param failure what the loader threw, which the caller does not see (wrapped as for
	 * {@link #onRefreshFailure})
	 */
	void onFailSafeServed(String cacheName, Object key, Throwable failure);

	/**
	 * An entry stored in Redis could not be read (corrupt, an older format, not of the type asked for);
	 * the read treated it as a miss.
	 * @param cacheName the cache of the entry
	 * @param problem what could not be read and what was done with it (deleted or left in place)
	 */
	void onUnreadableEntry(String cacheName, String problem);

	/**
	 * A new handler with Tiercache's default policy: each kind of failure is logged as a warning (under
	 * the {@code dev.tiercache.tier.TieredCache} category) at most once every 30 s per cache, the rest
	 * at debug level. Its limits are its own: each manager should have its own instance.
	 */
	static TiercacheErrorHandler logging() {
		return new LoggingErrorHandler();
	}

}
