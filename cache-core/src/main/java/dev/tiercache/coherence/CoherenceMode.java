package dev.tiercache.coherence;

/** How an instance learns that keys changed elsewhere, so that its L1 follows. */
public enum CoherenceMode {

	/**
	 * Redis tells it: {@code CLIENT TRACKING} in broadcast mode on the key prefixes, with RESP3 push
	 * messages. Covers every client, expiry and eviction, within one network hop.
	 */
	TRACKING,

	/**
	 * The instances tell each other, on a pub/sub channel: the connection speaks RESP2, or the server or
	 * a proxy refused tracking. Covers changes made through Tiercache; changes made by other clients,
	 * expiry and eviction reach L1 only when its entry expires ({@code local.ttl}).
	 */
	PUBSUB

}
