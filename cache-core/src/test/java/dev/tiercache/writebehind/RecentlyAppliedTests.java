package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentlyAppliedTests {

	private final RecentlyApplied applied = new RecentlyApplied();

	private static QueueEntry entry(String id, String key, String arguments) {
		return new QueueEntry(id, key, "m", arguments.getBytes(StandardCharsets.UTF_8), false);
	}

	@Test
	void knowsAnAppliedEntryByItsIdAndContents() {
		this.applied.add(entry("1-0", "a", "v1"));

		assertThat(this.applied.contains(entry("1-0", "a", "v1"))).isTrue();
		assertThat(this.applied.contains(entry("1-1", "a", "v1"))).as("another id").isFalse();
	}

	@Test
	void anotherEntryUnderAnIdANewPrimaryGaveAgainIsNotTakenForIt() {
		this.applied.add(entry("1-0", "a", "v1"));

		assertThat(this.applied.contains(entry("1-0", "a", "v2"))).as("other arguments").isFalse();
		assertThat(this.applied.contains(entry("1-0", "b", "v1"))).as("another key").isFalse();
	}

	@Test
	void keepsOnlyTheLastEntries() {
		for (int i = 0; i <= RecentlyApplied.CAPACITY; i++) {
			this.applied.add(entry(i + "-0", "k" + i, "v"));
		}

		assertThat(this.applied.contains(entry("0-0", "k0", "v"))).as("the oldest, beyond the capacity").isFalse();
		assertThat(this.applied.contains(entry("1-0", "k1", "v"))).isTrue();
		assertThat(this.applied.contains(entry(RecentlyApplied.CAPACITY + "-0", "k" + RecentlyApplied.CAPACITY, "v")))
			.isTrue();
	}

}
