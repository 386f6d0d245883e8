package dev.tiercache.coherence;

/**
 * What an instance does when Redis reports changes: implemented by the tier that owns L1.
 */
public interface InvalidationTarget {

	/**
	 * A key under a tracked prefix changed: written, deleted, expired or evicted, by any client but
	 * this instance's own connection (where the server honours {@code NOLOOP}; before Redis 7.2 it does
	 * not for writes made by scripts, redis/redis#11052, so those come back too). Called on the
	 * connection's I/O thread, in the order Redis sent the changes and before any reply that Redis sent
	 * after them: it must be quick and must not call Redis.
	 */
	void changed(byte[] key);

	/**
	 * Changes may have been missed (the connection was lost and is back, or Redis flushed its data):
	 * drop every L1 entry and re-read what L1 depends on. Called on the connection's I/O thread: hand
	 * slow work to a thread of your own.
	 */
	void resynchronize();

}
