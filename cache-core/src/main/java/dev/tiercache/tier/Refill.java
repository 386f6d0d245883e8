package dev.tiercache.tier;

import dev.tiercache.coherence.WriteTokens;

/**
 * An entry kept out of a {@link LocalTier} by a reported change that may predate it, or be its own
 * write echoed: to {@linkplain LocalTier#refill put in} if Redis still holds the bytes it was read or
 * written as.
 * @param key the key
 * @param entry the entry
 * @param stamp the key's stamp when it was kept out
 * @param token the {@link WriteTokens token} of the bytes Redis must still hold
 */
record Refill(Object key, LocalEntry entry, long stamp, long token) {
}
