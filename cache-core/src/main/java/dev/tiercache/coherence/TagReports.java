package dev.tiercache.coherence;

/**
 * What {@link L1Coherence} tells of caches' tags: implemented by {@link Tags}, which keeps the tag
 * versions each cache knows. Called on Redis's I/O thread: implementations must be quick and make no
 * Redis call.
 */
public interface TagReports {

	/** Redis reported that a tag of the cache was invalidated, here or elsewhere. */
	void tagChanged(String cacheName, String tag);

	/** Changes may have been missed: every tag version known is read again before it is relied on. */
	void forgetTags();

}
