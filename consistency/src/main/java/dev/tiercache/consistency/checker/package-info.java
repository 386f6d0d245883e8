/**
 * The checker: a pure function from a recorded history (every call's invoke and completion, the
 * database's own log of applied versions, its final state and the nemesis's fault windows) to a
 * verdict per guarantee, with counts of what was checked and, for each violation, the few events that
 * show it. It knows nothing of the processes that produced the history.
 */
@NullMarked
package dev.tiercache.consistency.checker;

import org.jspecify.annotations.NullMarked;
