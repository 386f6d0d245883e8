package dev.tiercache.testkit;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.writebehind.WriteBehindStats;

/**
 * Entry points of the kit's AssertJ assertions; import them statically next to AssertJ's own:
 * <pre>{@code
 * assertThat(caches.stats("products")).hasLoads(1).hasHits(2);
 * caches.awaitWriteBehind("prices", Duration.ofSeconds(5));
 * assertThat(caches.writeBehind("prices")).hasApplied(3).isDrained();
 * }</pre>
 */
public final class TiercacheAssertions {

	private TiercacheAssertions() {
	}

	public static CacheStatsAssert assertThat(CacheStats actual) {
		return new CacheStatsAssert(actual);
	}

	public static WriteBehindStatsAssert assertThat(WriteBehindStats actual) {
		return new WriteBehindStatsAssert(actual);
	}

}
