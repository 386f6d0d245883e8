package dev.tiercache.tier;

/** The outcome of storing a loaded value under its lease ({@link RemoteCache#store}). */
enum StoreOutcome {

	/** Stored, and the lease released. */
	STORED,

	/** Not stored: a write revoked the lease, or it lapsed. */
	LOST,

	/** Not stored: a write of the key is pending, newer than what was loaded; the lease is released. */
	PENDING,

	/** Redis did not answer in time; the value may or may not be stored. */
	UNKNOWN

}
