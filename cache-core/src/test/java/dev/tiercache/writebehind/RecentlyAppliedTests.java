package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentlyAppliedTests {

	private final RecentlyApplied applied = new RecentlyApplied();

	private static QueueEntry entry(String id, String key, String arguments) {
		return new QueueEntry(id, key, "m", arguments.getBytes(StandardCharsets.UTF_8), false);
	}

	private boolean known(QueueEntry entry) {
		return this.applied.find(entry) != null;
	}

	@Test
	void knowsADeadLetterWithItsErrorAndAttempts() {
		this.applied.addDeadLetter(entry("1-0", "a", "v1"), "refused", 3);

		assertThat(this.applied.find(entry("1-0", "a", "v1"))).isNotNull().satisfies((settled) -> {
			assertThat(settled.deadLetterError()).isEqualTo("refused");
			assertThat(settled.attempts()).isEqualTo(3);
		});
	}

	@Test
	void knowsAnAppliedEntryByItsIdAndContents() {
		this.applied.add(entry("1-0", "a", "v1"));

		assertThat(known(entry("1-0", "a", "v1"))).isTrue();
		assertThat(known(entry("1-1", "a", "v1"))).as("another id").isFalse();
	}

	@Test
	void anotherEntryUnderAnIdANewPrimaryGaveAgainIsNotTakenForIt() {
		this.applied.add(entry("1-0", "a", "v1"));

		assertThat(known(entry("1-0", "a", "v2"))).as("other arguments").isFalse();
		assertThat(known(entry("1-0", "b", "v1"))).as("another key").isFalse();
	}

	@Test
	void keepsOnlyTheLastEntries() {
		for (int i = 0; i <= RecentlyApplied.CAPACITY; i++) {
			this.applied.add(entry(i + "-0", "k" + i, "v"));
		}

		assertThat(known(entry("0-0", "k0", "v"))).as("the oldest, beyond the capacity").isFalse();
		assertThat(known(entry("1-0", "k1", "v"))).isTrue();
		assertThat(known(entry(RecentlyApplied.CAPACITY + "-0", "k" + RecentlyApplied.CAPACITY, "v")))
			.isTrue();
	}

}
