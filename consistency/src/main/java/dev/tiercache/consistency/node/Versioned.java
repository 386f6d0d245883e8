package dev.tiercache.consistency.node;

import java.io.Serializable;

/**
 * A row of the {@code versions} table as the cached methods return it: the key and the version last
 * written to it. Carrying the key lets the checker see a value served for the wrong key.
 *
 * @param id the row's key
 * @param version the version written to it; 0 before any write
 */
public record Versioned(long id, long version) implements Serializable {
}
