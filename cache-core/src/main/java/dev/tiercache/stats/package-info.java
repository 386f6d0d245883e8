/**
 * Per-cache counters kept on the hot path without contention.
 */
@NullMarked
package dev.tiercache.stats;

import org.jspecify.annotations.NullMarked;
