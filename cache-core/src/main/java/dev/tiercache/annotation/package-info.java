/**
 * The public Tiercache annotations that put a caching pattern on a Spring bean method.
 */
@NullMarked
package dev.tiercache.annotation;

import org.jspecify.annotations.NullMarked;
