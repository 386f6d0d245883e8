package dev.tiercache.coherence;

/**
 * Reads caches' namespace versions from Redis again, when {@link L1Coherence} learns they may have
 * moved: implemented by the Redis tier, which keeps the versions and their floor. Called on a
 * background thread, never on Redis's I/O thread; a Redis failure is the reader's to handle.
 */
public interface NamespaceReader {

	/** Reads the namespace version of the named cache again, if the reader knows the cache. */
	void read(String cacheName);

	/** Reads the namespace version of every cache again. */
	void readAll();

}
