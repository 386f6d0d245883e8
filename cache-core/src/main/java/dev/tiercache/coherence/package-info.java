/**
 * Cross-instance L1 coherence: Redis server-assisted invalidation ({@code CLIENT TRACKING} in
 * broadcast mode, RESP3 push messages) on Tiercache's own connection, so that a change to a cached key
 * by any client, and its expiry or eviction, drops the key from every instance's L1.
 */
@NullMarked
package dev.tiercache.coherence;

import org.jspecify.annotations.NullMarked;
