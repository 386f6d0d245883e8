package dev.tiercache.consistency.node;

import dev.tiercache.tier.TiercacheErrorHandler;

/**
 * Tiercache's error handling for the instance: every Redis failure a cache sees is recorded in the
 * history (so that the checker can tell a Redis call that failed on a loaded machine from a broken
 * guarantee), and everything is handed on to the default handler, which logs it.
 */
final class HistoryRecordingErrorHandler implements TiercacheErrorHandler {

	private final TiercacheErrorHandler delegate;

	private final HistoryLog history;

	HistoryRecordingErrorHandler(TiercacheErrorHandler delegate, HistoryLog history) {
		this.delegate = delegate;
		this.history = history;
	}

	@Override
	public void onRedisFailure(String cacheName, RuntimeException failure) {
		this.history.redisFailure(cacheName, failure);
		this.delegate.onRedisFailure(cacheName, failure);
	}

	@Override
	public void onRefreshFailure(String cacheName, Object key, Throwable failure) {
		this.delegate.onRefreshFailure(cacheName, key, failure);
	}

	@Override
	public void onFailSafeServed(String cacheName, Object key, Throwable failure) {
		this.delegate.onFailSafeServed(cacheName, key, failure);
	}

	@Override
	public void onUnreadableEntry(String cacheName, String problem) {
		this.delegate.onUnreadableEntry(cacheName, problem);
	}

}
