package dev.tiercache.internal.stampede;

import dev.tiercache.internal.redis.EntryKeys;

/**
 * A lease on one key: the right to load the key's value and store it, proven by a token that only the
 * holder knows. It lapses after {@code leaseMillis} unless renewed, is renewed for at most
 * {@code maxHoldMillis}, and any write to the key revokes it. Compared by identity.
 *
 * @param keys the entry's Redis keys
 * @param token the holder's random token
 * @param leaseMillis how long the lease lasts without renewal
 * @param maxHoldMillis how long the holder renews it at most
 */
public record Lease(EntryKeys keys, byte[] token, long leaseMillis, long maxHoldMillis) {
}
