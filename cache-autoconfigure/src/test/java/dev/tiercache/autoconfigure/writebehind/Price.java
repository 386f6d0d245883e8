package dev.tiercache.autoconfigure.writebehind;

/** A row of the test table: a key, the sequence number of the write that produced it, and a value. */
public record Price(long id, long version, String amount) {
}
