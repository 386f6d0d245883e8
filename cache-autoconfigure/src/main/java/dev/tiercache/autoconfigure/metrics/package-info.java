/**
 * Micrometer auto-configuration of Tiercache, when Micrometer is on the class path.
 */
@NullMarked
package dev.tiercache.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
