/**
 * Bounded-time access to Redis through the application's Lettuce connection, shared by every Tiercache component.
 * Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.redis;

import org.jspecify.annotations.NullMarked;
