/**
 * What keeps callers safe from a Redis that is down, unreachable or slow: a circuit breaker
 * (resilience4j) per Redis that stops calls to it until background probes find it answering again,
 * and the recovery that runs before traffic returns.
 */
@NullMarked
package dev.tiercache.resilience;

import org.jspecify.annotations.NullMarked;
