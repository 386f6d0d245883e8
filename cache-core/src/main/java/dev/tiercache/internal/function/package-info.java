/**
 * Functional interfaces shared between Tiercache's packages. Internal: not an API, and it may change in
 * any release.
 */
@NullMarked
package dev.tiercache.internal.function;

import org.jspecify.annotations.NullMarked;
