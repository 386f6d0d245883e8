package dev.tiercache.autoconfigure.warming;

import org.jspecify.annotations.Nullable;

/**
 * How far one {@link CacheWarmer} got, as the {@code tiercache} endpoint shows it.
 *
 * @param cache the cache warmed
 * @param warmer the warmer, {@code Class#method}
 * @param state {@code WAITING} (for the application to be ready, or for the warmers before it),
 * {@code RUNNING}, {@code DONE}, {@code FAILED} (the warmer itself threw: see {@code error}) or
 * {@code STOPPED} (the application stopped first)
 * @param keys the elements the warmer yielded so far, each one call of the cached method
 * @param warmed calls that returned
 * @param failed calls that threw
 * @param millis how long it has run, or ran
 * @param error the warmer's own failure, if it threw
 */
public record WarmerProgress(String cache, String warmer, String state, long keys, long warmed, long failed,
		long millis, @Nullable String error) {
}
