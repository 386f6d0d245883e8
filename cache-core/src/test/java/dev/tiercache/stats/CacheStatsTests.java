package dev.tiercache.stats;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures {@link CacheStats} derives from its counters: hits over both tiers, and misses counted
 * where the read ended (after L1 and Redis for a cache with L1, in Redis for one without).
 */
class CacheStatsTests {

	@Test
	void hitsAreTheReadsEitherTierAnsweredWithAValueOrACachedNull() {
		CacheStats stats = stats(11, 3, 20, 7, 2, 9);
		assertThat(stats.hits()).isEqualTo(11 + 3 + 7 + 2);
	}

	@Test
	void withL1TheMissesAreTheL1MissesThatRedisDidNotAnswer() {
		// 20 reads missed L1: Redis answered 7 with a value and 2 with a cached null, missed 9, failed 2
		CacheStats stats = stats(11, 3, 20, 7, 2, 9);
		assertThat(stats.misses(true)).isEqualTo(11);
		assertThat(stats.hits() + stats.misses(true)).as("every read counted once").isEqualTo(11 + 3 + 20);
	}

	@Test
	void withoutL1TheMissesAreTheRedisMisses() {
		CacheStats stats = stats(0, 0, 0, 7, 2, 9);
		assertThat(stats.misses(false)).isEqualTo(9);
		assertThat(stats.hits() + stats.misses(false)).isEqualTo(7 + 2 + 9);
	}

	@Test
	void aCacheThatWasNeverReadHasNeitherHitsNorMisses() {
		CacheStats stats = stats(0, 0, 0, 0, 0, 0);
		assertThat(stats.hits()).isZero();
		assertThat(stats.misses(true)).isZero();
		assertThat(stats.misses(false)).isZero();
	}

	private static CacheStats stats(long localHits, long localNullHits, long localMisses, long remoteHits,
			long remoteNullHits, long remoteMisses) {
		return new CacheStats(localHits, localNullHits, localMisses, remoteHits, remoteNullHits, remoteMisses, 0, 0,
				Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, 0);
	}

}
