/**
 * Penetration guards: per cache, a Bloom filter of the keys that exist, kept in Redis (a bitmap shared
 * by every instance) with a local copy, which answers misses for keys that cannot exist without calling
 * the loader. See {@link dev.tiercache.guard.PenetrationGuard}.
 */
@NullMarked
package dev.tiercache.guard;

import org.jspecify.annotations.NullMarked;
