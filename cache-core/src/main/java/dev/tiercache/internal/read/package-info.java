/**
 * The read path a cache hands to Tiercache's annotations: an L1 peek that allocates nothing, then the
 * read-through with the method as its loader; and the {@link dev.tiercache.internal.read.KeyGuard} a
 * cache's loads ask first. Internal: not an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.read;

import org.jspecify.annotations.NullMarked;
