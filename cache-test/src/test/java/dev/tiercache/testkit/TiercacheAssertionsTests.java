package dev.tiercache.testkit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.writebehind.WriteBehindStats;

import static dev.tiercache.testkit.TiercacheAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The assertions read the right counters and, when one differs, say which and by how much. */
class TiercacheAssertionsTests {

	/** 3 L1 hits and 1 on a cached null, 2 Redis hits and 1 on a cached null, 4 loads (1 threw), 5 Redis errors. */
	private final CacheStats cache = new CacheStats(3, 1, 9, 2, 1, 4, 4, 1, Duration.ofMillis(8), 0, 0, 0, 0, 5, 0, 0,
			0, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, 0);

	private final WriteBehindStats queue = new WriteBehindStats("prices", 2, 40, 0, 7, 0, 1, 5, 4, 0, 1, 1);

	@Test
	void cacheStatsAssertionsReadEachCounter() {
		assertThat(this.cache).hasHits(7).hasLocalHits(4).hasRemoteHits(3).hasLoads(4).hasLoadFailures(1)
			.hasRemoteErrors(5);
	}

	@Test
	void aCacheStatsAssertionThatFailsNamesTheCounterAndBothCounts() {
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> assertThat(this.cache).hasLoads(3))
			.withMessageStartingWith("Expected the cache to count 3 loads but it counted 4");
	}

	@Test
	void writeBehindAssertionsReadEachCounter() {
		assertThat(this.queue).hasEnqueued(7).hasApplied(5).hasMethodCalls(4).hasRefused(1).hasDeadLettered(1);
	}

	@Test
	void aQueueWithEntriesIsNotDrained() {
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> assertThat(this.queue).isDrained())
			.withMessageStartingWith("Expected write-behind of cache 'prices' to count 0 entries still queued but it "
					+ "counted 2");
	}

}
