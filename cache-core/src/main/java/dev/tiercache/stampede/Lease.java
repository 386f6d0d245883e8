package dev.tiercache.stampede;

/**
 * A held lease on one key: the right to load the key's value and store it, proven by a token that
 * only the holder knows. It lapses after its duration unless renewed, and any write to the key
 * revokes it. Compared by identity.
 *
 * @param keys the entry's Redis keys
 * @param token the holder's random token
 * @param leaseMillis how long the lease lasts without renewal
 */
public record Lease(EntryKeys keys, byte[] token, long leaseMillis) {
}
