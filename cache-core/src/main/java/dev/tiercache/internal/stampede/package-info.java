/**
 * Stampede control: local single flight, the per-key Redis lease lock and the pub/sub wake-ups of instances waiting for a value.
 * Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.stampede;

import org.jspecify.annotations.NullMarked;
