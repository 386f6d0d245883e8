/**
 * The background threads Tiercache runs. Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.concurrent;

import org.jspecify.annotations.NullMarked;
