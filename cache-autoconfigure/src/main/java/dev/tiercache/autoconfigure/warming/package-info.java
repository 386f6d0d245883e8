/**
 * Warming of caches once the application is ready, by the application's
 * {@link dev.tiercache.autoconfigure.warming.CacheWarmer} methods.
 */
@NullMarked
package dev.tiercache.autoconfigure.warming;

import org.jspecify.annotations.NullMarked;
