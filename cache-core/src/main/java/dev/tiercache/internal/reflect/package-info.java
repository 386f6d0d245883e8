/**
 * Reflection shared by key rendering and value checks. Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.reflect;

import org.jspecify.annotations.NullMarked;
