/**
 * Tracing of the slow work caches do on a caller's behalf, their loads and write-behind flushes:
 * {@link dev.tiercache.tracing.CacheTracer}, which the tiers and the write-behind queue call, and
 * {@link dev.tiercache.tracing.ObservationCacheTracer}, which reports that work as Micrometer observations.
 * A leaf of the layers: besides the internal concurrency helpers, it depends on no Tiercache package.
 */
@NullMarked
package dev.tiercache.tracing;

import org.jspecify.annotations.NullMarked;
