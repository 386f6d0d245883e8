package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalTier} invalidated by the key's Redis name: what it removes, what it stops, what it puts
 * back, and that its index never outgrows the entries.
 */
class LocalTierInvalidationTests {

	private final CoarseClock clock = new CoarseClock();

	private final LocalTier tier = new LocalTier(100, this.clock, (key) -> "#" + key);

	@AfterEach
	void close() {
		this.clock.close();
	}

	@Test
	void invalidateRemovesTheEntryTheRedisNameStandsFor() {
		this.tier.fill("k", "v", 60_000, this.tier.stamp("k"));
		this.tier.fill("other", "w", 60_000, this.tier.stamp("other"));
		assertThat(this.tier.invalidate("#k")).as("read, not written: nothing to put back").isNull();
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.get("other")).isNotNull();
		assertThat(this.tier.indexed()).isEqualTo(1);
	}

	@Test
	void aReadInFlightWhenTheKeyIsInvalidatedDoesNotFillButIsReturnedForACheck() {
		long stamp = this.tier.stamp("k");
		this.tier.invalidate("#k");
		assertThat(this.tier.fill("k", "old", 60_000, stamp)).isFalse();
		byte[] framed = "framed old".getBytes(StandardCharsets.UTF_8);
		LocalTier.Refill refill = this.tier.fillRead("k", "old", 60_000, stamp, framed);
		assertThat(refill).isNotNull();
		assertThat(refill.token()).isEqualTo(LocalTier.writeToken(framed));
		assertThat(this.tier.get("k")).isNull();
		assertThat(this.tier.refill(refill)).isTrue();
		assertThat(this.tier.get("k")).isNotNull().extracting(LocalTier.LocalEntry::value).isEqualTo("old");
	}

	@Test
	void aRefillLosesToAnyChangeAfterIt() {
		byte[] framed = "framed".getBytes(StandardCharsets.UTF_8);
		this.tier.putWritten("k", "mine", 60_000, framed);
		LocalTier.Refill refill = this.tier.invalidate("#k");
		assertThat(refill).as("written here: may be its own echo").isNotNull();
		this.tier.invalidate("#k");
		assertThat(this.tier.refill(refill)).as("changed again").isFalse();
		LocalTier.Refill second = this.tier.invalidate("#k");
		assertThat(second).as("nothing resident").isNull();
		this.tier.putWritten("k", "mine", 60_000, framed);
		LocalTier.Refill third = this.tier.invalidate("#k");
		this.tier.put("k", "newer", 60_000);
		assertThat(this.tier.refill(third)).as("written since").isFalse();
		assertThat(this.tier.get("k").value()).isEqualTo("newer");
		LocalTier.Refill fourth = this.tier.invalidate("#k");
		this.tier.clear();
		assertThat(fourth).isNull();
		this.tier.putWritten("k", "mine", 60_000, framed);
		LocalTier.Refill fifth = this.tier.invalidate("#k");
		this.tier.clear();
		assertThat(this.tier.refill(fifth)).as("cleared since").isFalse();
	}

	@Test
	void theIndexFollowsEvictionsRemovalsAndClears() {
		for (int i = 0; i < 1_000; i++) {
			this.tier.fill("k" + i, "v", 60_000, this.tier.stamp("k" + i));
		}
		assertThat(this.tier.indexed()).as("keys Caffeine evicted leave the index").isLessThan(200);
		this.tier.evict("k999");
		this.tier.clear();
		assertThat(this.tier.indexed()).isZero();
	}

}
