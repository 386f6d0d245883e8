/**
 * Bounded-time access to Redis through the application's Lettuce connection, shared by every Tiercache component.
 */
@NullMarked
package dev.tiercache.internal.redis;

import org.jspecify.annotations.NullMarked;
