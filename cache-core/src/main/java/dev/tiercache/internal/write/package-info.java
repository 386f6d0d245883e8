/**
 * What the tier hands to the write paths above it ({@link dev.tiercache.internal.write.CoordinatedWrites}):
 * a {@link dev.tiercache.internal.write.StagedWrite} that the write-behind queue applies in its own
 * script, the {@link dev.tiercache.internal.write.PendingWrites} it keeps until the backing store has
 * them, and the {@link dev.tiercache.internal.write.WriteIntent} a write-through announces. Internal: not
 * an API, and it may change in any release.
 */
@NullMarked
package dev.tiercache.internal.write;

import org.jspecify.annotations.NullMarked;
