package dev.tiercache.consistency.checker;

/**
 * One change of a row, as the database's audit trigger recorded it.
 *
 * @param seq the order of the change among all changes (per row, the order they were made)
 * @param key the row's key
 * @param version the version the row took
 */
public record Applied(long seq, long key, long version) {
}
