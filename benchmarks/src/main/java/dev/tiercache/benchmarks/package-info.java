/**
 * JMH benchmarks and load scenarios that compare Tiercache with Spring's cache abstraction, raw
 * Caffeine and raw Lettuce. Run them with {@code benchmarks/run} (see {@link dev.tiercache.benchmarks.BenchmarkRunner}).
 */
@NullMarked
package dev.tiercache.benchmarks;

import org.jspecify.annotations.NullMarked;
