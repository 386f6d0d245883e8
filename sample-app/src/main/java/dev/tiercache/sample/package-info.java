/**
 * A runnable service that caches a slow book catalogue with Tiercache.
 */
@NullMarked
package dev.tiercache.sample;

import org.jspecify.annotations.NullMarked;
