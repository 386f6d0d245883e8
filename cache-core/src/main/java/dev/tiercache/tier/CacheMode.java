package dev.tiercache.tier;

/**
 * Which tiers a cache uses.
 */
public enum CacheMode {

	/** Caffeine in the JVM in front of Redis shared by every instance (the default). */
	BOTH,

	/** Caffeine only: nothing is shared between instances; stampede control is per JVM. */
	LOCAL,

	/** Redis only: every read is a Redis round trip, and instances never serve different values. */
	REMOTE

}
