package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.TagVersions;
import dev.tiercache.coherence.WriteTokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalTier} invalidated by the key's Redis name: what it removes, what it stops, what it puts
 * back, and that its index never outgrows the entries.
 */
class LocalTierInvalidationTests {

	private final CoarseClock clock = new CoarseClock();

	private final LocalTier tier = new LocalTier(100, this.clock, (key) -> "#" + key, new StatsRecorder(),
			new TagVersions("books", null));

	@AfterEach
	void close() {
		this.clock.close();
	}

	@Test
	void invalidateRemovesTheEntryTheRedisNameStandsFor() {
		this.tier.fill("k", this.tier.rendered("k"), "v", 60_000, this.tier.stamp("k"), null);
		this.tier.fill("other", this.tier.rendered("other"), "w", 60_000, this.tier.stamp("other"), null);
		assertThat(this.tier.invalidate("#k", true)).as("read, not written: nothing to check").isNull();
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.get("other")).isNotNull();
		assertThat(this.tier.indexed()).isEqualTo(1);
	}

	@Test
	void aReadInFlightWhenTheKeyIsInvalidatedDoesNotFillButIsReturnedForACheck() {
		long stamp = this.tier.stamp("k");
		this.tier.invalidate("#k", true);
		assertThat(this.tier.fill("k", this.tier.rendered("k"), "old", 60_000, stamp, null)).isFalse();
		byte[] framed = "framed old".getBytes(StandardCharsets.UTF_8);
		Refill refill = this.tier.fillRead("k", this.tier.rendered("k"), "old",
				String.class, 60_000, stamp, framed, null);
		assertThat(refill).isNotNull();
		assertThat(refill.token()).isEqualTo(WriteTokens.of(framed));
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.refill(refill)).isTrue();
		assertThat(this.tier.get("k")).isNotNull().extracting(LocalEntry::value).isEqualTo("old");
	}

	@Test
	void anEntryThisInstanceWroteStaysUntilCheckedAndLeavesIfTheCheckFails() {
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		this.tier.putWritten("k", this.tier.rendered("k"), "mine", 60_000, this.tier.stamp("k"), framed);
		long stamp = this.tier.stamp("k");
		SuspectEntry suspect = this.tier.invalidate("#k", true);
		assertThat(suspect).as("written here: may be its own echo").isNotNull();
		assertThat(suspect.entry().writeToken()).isEqualTo(WriteTokens.of(framed));
		assertThat(this.tier.get("k").value()).as("kept while checked").isEqualTo("mine");
		assertThat(this.tier.stamp("k")).as("reads in flight are still stopped").isNotEqualTo(stamp);
		this.tier.evictIf(suspect);
		assertThat(this.tier.get("k")).isNull();
		this.tier.putWritten("k", this.tier.rendered("k"), "mine", 60_000, this.tier.stamp("k"), framed);
		assertThat(this.tier.invalidate("#k", false)).as("no room to check: removed at once").isNull();
		assertThat(this.tier.get("k")).isNull();
	}

	@Test
	void evictingASuspectSparesANewerEntry() {
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		this.tier.putWritten("k", this.tier.rendered("k"), "mine", 60_000, this.tier.stamp("k"), framed);
		SuspectEntry suspect = this.tier.invalidate("#k", true);
		this.tier.put("k", "newer", 60_000, null);
		this.tier.evictIf(suspect);
		assertThat(this.tier.get("k").value()).isEqualTo("newer");
	}

	@Test
	void aLoadsStoreReportedBeforeItReachesL1IsKeptThereToBeChecked() {
		// issue 16 item 11: the report may be the store's own echo; the next read must be an L1 hit
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		long beforeTheLoad = this.tier.stamp("k");
		this.tier.invalidate("#k", true);
		SuspectEntry suspect = this.tier.fillWritten("k", this.tier.rendered("k"), "loaded",
				60_000, beforeTheLoad, framed);
		assertThat(suspect).as("reported since the stamp").isNotNull();
		assertThat(suspect.entry().writeToken()).isEqualTo(WriteTokens.of(framed));
		assertThat(this.tier.get("k").value()).as("kept while checked").isEqualTo("loaded");
		this.tier.evictIf(suspect);
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.fillWritten("k", this.tier.rendered("k"), "loaded", 60_000, this.tier.stamp("k"), framed))
			.as("nothing reported: nothing to check").isNull();
		assertThat(this.tier.get("k").value()).isEqualTo("loaded");
	}

	@Test
	void aLoadsStoreLosesToAWriteThisInstanceMadeSince() {
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		long beforeTheLoad = this.tier.stamp("k");
		this.tier.put("k", "written", 60_000, null);
		assertThat(this.tier.fillWritten("k", this.tier.rendered("k"), "loaded",
				60_000, beforeTheLoad, framed)).isNull();
		assertThat(this.tier.get("k").value()).isEqualTo("written");
		long beforeTheClear = this.tier.stamp("k");
		this.tier.clear();
		assertThat(this.tier.fillWritten("k", this.tier.rendered("k"), "loaded",
				60_000, beforeTheClear, framed)).isNull();
		assertThat(this.tier.get("k")).isNull();
	}

	@Test
	void aWriteAfterAnotherWriteOrAReportIsStoredAndKeptToBeChecked() {
		// issue 16 item 9: Redis may have ordered the other change before this write or after it
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		long beforeTheWrite = this.tier.stamp("k");
		this.tier.putWritten("k", this.tier.rendered("k"),
				"other", 60_000, this.tier.stamp("k"), "other".getBytes(StandardCharsets.UTF_8));
		SuspectEntry afterAWrite = this.tier.putWritten("k", this.tier.rendered("k"),
				"mine", 60_000, beforeTheWrite, framed);
		assertThat(afterAWrite).isNotNull();
		assertThat(this.tier.get("k").value()).isEqualTo("mine");
		long beforeTheNext = this.tier.stamp("k");
		this.tier.invalidate("#k", true);
		SuspectEntry afterAReport = this.tier.putWritten("k", this.tier.rendered("k"),
				"again", 60_000, beforeTheNext, framed);
		assertThat(afterAReport).isNotNull();
		assertThat(this.tier.fill("k", this.tier.rendered("k"), "read before the write",
				60_000, beforeTheNext, null)).isFalse();
		this.tier.evictIf(afterAWrite);
		assertThat(this.tier.get("k").value()).as("a suspect replaced since is spared").isEqualTo("again");
		this.tier.evictIf(afterAReport);
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.putWritten("k", this.tier.rendered("k"),
				"mine", 60_000, this.tier.stamp("k"), framed)).isNull();
	}

	@Test
	void aRefillLosesToAnyChangeAfterIt() {
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		long stamp = this.tier.stamp("k");
		this.tier.invalidate("#k", true);
		Refill refill = this.tier.fillRead("k", this.tier.rendered("k"), "read",
				String.class, 60_000, stamp, framed, null);
		assertThat(refill).as("a change was reported since the stamp").isNotNull();
		this.tier.invalidate("#k", true);
		assertThat(this.tier.refill(refill)).as("changed again").isFalse();
		long again = this.tier.stamp("k");
		this.tier.invalidate("#k", true);
		Refill read = this.tier.fillRead("k", this.tier.rendered("k"), "read",
				String.class, 60_000, again, framed, null);
		this.tier.put("k", "newer", 60_000, null);
		assertThat(this.tier.refill(read)).as("written since").isFalse();
		assertThat(this.tier.get("k").value()).isEqualTo("newer");
		long third = this.tier.stamp("other");
		this.tier.invalidate("#other", true);
		Refill cleared = this.tier.fillRead("other", this.tier.rendered("other"), "read",
				String.class, 60_000, third, framed, null);
		this.tier.clear();
		assertThat(this.tier.refill(cleared)).as("cleared since").isFalse();
	}

	@Test
	void theIndexFollowsEvictionsRemovalsAndClears() {
		for (int i = 0; i < 1_000; i++) {
			this.tier.fill("k" + i, this.tier.rendered("k" + i), "v", 60_000, this.tier.stamp("k" + i), null);
		}
		assertThat(this.tier.indexed()).as("keys Caffeine evicted leave the index").isLessThan(200);
		this.tier.evict("k999");
		this.tier.clear();
		assertThat(this.tier.indexed()).isZero();
	}

}
