/**
 * Penetration guards with Spring Boot: the {@link dev.tiercache.autoconfigure.guard.ExistingKeys}
 * sources that fill them, and {@link dev.tiercache.autoconfigure.guard.GuardBuilds}, which builds each
 * guard's filter from its source when Redis holds none.
 */
@NullMarked
package dev.tiercache.autoconfigure.guard;

import org.jspecify.annotations.NullMarked;
