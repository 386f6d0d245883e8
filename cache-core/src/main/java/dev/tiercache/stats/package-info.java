/**
 * Per-cache counters kept on the hot path without contention ({@link dev.tiercache.stats.StatsRecorder}), read as
 * immutable {@link dev.tiercache.stats.CacheStats} snapshots.
 */
@NullMarked
package dev.tiercache.stats;

import org.jspecify.annotations.NullMarked;
