package dev.tiercache.writebehind;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link WriteBehindStats} derives: the entries coalesced away, and what happened between two
 * snapshots, whose queue state is the later one's.
 */
class WriteBehindStatsTests {

	@Test
	void sinceAnEarlierSnapshotTheCountersAreLessTheirEarlierValuesAndTheQueueIsAsItIsNow() {
		WriteBehindStats earlier = new WriteBehindStats("prices", 40, 900, 2, 10, 1, 2, 8, 6, 1, 3, 1);
		WriteBehindStats later = new WriteBehindStats("prices", 5, 120, 3, 31, 4, 7, 30, 21, 5, 9, 2);
		assertThat(later.since(earlier))
			.isEqualTo(new WriteBehindStats("prices", 5, 120, 3, 21, 3, 5, 22, 15, 4, 6, 1));
	}

	@Test
	void theEntriesAppliedWithoutACallOfTheirOwnWereCoalesced() {
		WriteBehindStats stats = new WriteBehindStats("prices", 0, 0, 0, 12, 0, 0, 12, 4, 0, 0, 0);
		assertThat(stats.coalesced()).isEqualTo(8);
	}

}
