/**
 * One application instance under test: a small Spring Boot application over a {@code versions} table
 * with one method per caching pattern, clients that call them at random, and the history they record.
 * Started as a process of its own by the harness, and steered through its standard input.
 */
@NullMarked
package dev.tiercache.consistency.node;

import org.jspecify.annotations.NullMarked;
