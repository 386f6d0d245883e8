package dev.tiercache.testkit;

import org.assertj.core.api.AbstractAssert;

import dev.tiercache.stats.CacheStats;

/**
 * Assertions over a cache's {@link CacheStats}, such as those {@link TestCaches#stats} counts from the
 * start of a test. Obtain one with {@link TiercacheAssertions#assertThat(CacheStats)}.
 */
public final class CacheStatsAssert extends AbstractAssert<CacheStatsAssert, CacheStats> {

	CacheStatsAssert(CacheStats actual) {
		super(actual, CacheStatsAssert.class);
	}

	/** Reads answered by either tier, with a value or a cached {@code null}. */
	public CacheStatsAssert hasHits(long expected) {
		return has("hits", expected, this.actual.hits());
	}

	/** Reads answered by L1, with a value or a cached {@code null}. */
	public CacheStatsAssert hasLocalHits(long expected) {
		return has("L1 hits", expected, this.actual.localHits() + this.actual.localNullHits());
	}

	/** Reads answered by Redis, with a value or a cached {@code null}. */
	public CacheStatsAssert hasRemoteHits(long expected) {
		return has("Redis hits", expected, this.actual.remoteHits() + this.actual.remoteNullHits());
	}

	/** Completed calls of the loader (the cached method), whether they returned or threw. */
	public CacheStatsAssert hasLoads(long expected) {
		return has("loads", expected, this.actual.loads());
	}

	/** Loader calls that threw. */
	public CacheStatsAssert hasLoadFailures(long expected) {
		return has("load failures", expected, this.actual.loadFailures());
	}

	/** Redis calls that failed or timed out, each read as an L2 miss. */
	public CacheStatsAssert hasRemoteErrors(long expected) {
		return has("Redis errors", expected, this.actual.remoteErrors());
	}

	private CacheStatsAssert has(String counter, long expected, long actual) {
		isNotNull();
		if (actual != expected) {
			failWithMessage("Expected the cache to count %d %s but it counted %d, in %s", expected, counter, actual,
					this.actual);
		}
		return this;
	}

}
