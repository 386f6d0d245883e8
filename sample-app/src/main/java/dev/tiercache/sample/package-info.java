/**
 * A runnable product-catalogue service on PostgreSQL that uses every Tiercache pattern.
 */
@NullMarked
package dev.tiercache.sample;

import org.jspecify.annotations.NullMarked;
