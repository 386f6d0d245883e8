package dev.tiercache.stats;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures {@link CacheStats} derives from its counters: hits over both tiers, and misses counted
 * where the read ended (after L1 and Redis for a cache with L1, in Redis for one without), and the
 * counts between two snapshots.
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

	@Test
	void sinceAnEarlierSnapshotEachCounterAndTimeIsLessItsEarlierValue() throws Exception {
		CacheStats earlier = numbered(1);
		CacheStats later = numbered(3);
		CacheStats between = later.since(earlier);
		for (RecordComponent component : CacheStats.class.getRecordComponents()) {
			assertThat(component.getAccessor().invoke(between)).as(component.getName())
				.isEqualTo(component.getAccessor().invoke(numbered(2)));
		}
	}

	/** Stats whose n-th component is {@code n * factor} (counts, or milliseconds for times). */
	private static CacheStats numbered(long factor) throws Exception {
		List<Object> values = new ArrayList<>();
		RecordComponent[] components = CacheStats.class.getRecordComponents();
		Class<?>[] types = new Class<?>[components.length];
		for (int i = 0; i < components.length; i++) {
			types[i] = components[i].getType();
			long value = (i + 1) * factor;
			values.add((types[i] == Duration.class) ? Duration.ofMillis(value) : value);
		}
		return CacheStats.class.getDeclaredConstructor(types).newInstance(values.toArray());
	}

	private static CacheStats stats(long localHits, long localNullHits, long localMisses, long remoteHits,
			long remoteNullHits, long remoteMisses) {
		return new CacheStats(localHits, localNullHits, localMisses, remoteHits, remoteNullHits, remoteMisses, 0, 0,
				Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, 0);
	}

}
