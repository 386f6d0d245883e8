/**
 * Actuator support: the {@code tiercache} endpoint and health contributor, when Spring Boot
 * Actuator is on the class path.
 */
@NullMarked
package dev.tiercache.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
