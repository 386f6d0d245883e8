/**
 * The read-only view of a cache's counters: immutable {@link dev.tiercache.stats.CacheStats} snapshots,
 * which the Actuator endpoint and the Micrometer binder read.
 */
@NullMarked
package dev.tiercache.stats;

import org.jspecify.annotations.NullMarked;
