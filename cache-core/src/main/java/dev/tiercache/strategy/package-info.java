/**
 * The write patterns, one class each, written against {@link dev.tiercache.tier.TieredCache}: what a
 * pattern does to the cache after (or before) its method runs, and when, transactions included.
 */
@NullMarked
package dev.tiercache.strategy;

import org.jspecify.annotations.NullMarked;
