/**
 * The consistency checker: application instances run as processes over real Redis and PostgreSQL
 * with faults injected ({@code harness}), each recording every operation it makes ({@code node}),
 * and a pure check of the recorded history against Tiercache's guarantees ({@code checker}).
 */
@NullMarked
package dev.tiercache.consistency;

import org.jspecify.annotations.NullMarked;
