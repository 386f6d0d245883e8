/**
 * How cached values become bytes in Redis and back: the value codec and the stored envelope.
 */
@NullMarked
package dev.tiercache.codec;

import org.jspecify.annotations.NullMarked;
