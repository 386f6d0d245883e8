/**
 * Spring Boot auto-configuration of Tiercache: the {@code tiercache.*} properties, the cache manager,
 * the annotation advice and the resolver for Spring's own cache annotations.
 */
@NullMarked
package dev.tiercache.autoconfigure;

import org.jspecify.annotations.NullMarked;
