package dev.tiercache.coherence;

/** How an instance learns that keys other clients changed. */
public enum CoherenceMode {

	/**
	 * Redis tells it: {@code CLIENT TRACKING} in broadcast mode on the key prefix, with RESP3 push
	 * messages. Covers every client, expiry and eviction, within one network hop.
	 */
	TRACKING,

	/**
	 * It does not: the server or proxy refused tracking, or the connection is not RESP3. L1 entries
	 * written elsewhere are replaced when they expire ({@code local.ttl}).
	 */
	NONE

}
