/**
 * Micrometer meters ({@code tiercache.*}) over the caches' counters, the circuit breaker, the
 * invalidations and the write-behind queues. Micrometer is an optional dependency: nothing else in
 * Tiercache uses this package.
 */
@NullMarked
package dev.tiercache.metrics;

import org.jspecify.annotations.NullMarked;
