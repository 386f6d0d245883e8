/**
 * The background threads Tiercache runs and a rate limit for its warnings. Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.concurrent;

import org.jspecify.annotations.NullMarked;
