/**
 * The durable write-behind queue behind {@code @WriteBehind}: entries on Redis Streams partitioned by
 * key, a flusher pool that applies them in per-key order (batched, coalesced, retried, dead-lettered),
 * crash recovery by claiming abandoned entries, drain on shutdown, and the public API for lag and
 * dead letters ({@link dev.tiercache.writebehind.WriteBehindQueues}).
 */
@NullMarked
package dev.tiercache.writebehind;

import org.jspecify.annotations.NullMarked;
