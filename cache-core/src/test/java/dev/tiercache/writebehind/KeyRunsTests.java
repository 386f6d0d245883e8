package dev.tiercache.writebehind;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tiercache.writebehind.KeyRuns.KeyWork;

import static org.assertj.core.api.Assertions.assertThat;

/** Coalescing: the last write of a run wins, keys and methods keep their order. */
class KeyRunsTests {

	private static QueueEntry entry(String id, String key, String method) {
		return new QueueEntry(id, key, method, new byte[0], false);
	}

	@Test
	void consecutiveWritesOfOneKeyByOneMethodBecomeTheLastOne() {
		List<KeyWork> works = KeyRuns.of(List.of(entry("1-0", "a", "save"), entry("2-0", "b", "save"),
				entry("3-0", "a", "save"), entry("4-0", "a", "save")));
		assertThat(works).extracting(KeyWork::key).containsExactly("a", "b");
		KeyWork a = works.get(0);
		assertThat(a.calls()).hasSize(1);
		assertThat(a.calls().get(0).entry().id()).isEqualTo("4-0");
		assertThat(a.calls().get(0).covered()).extracting(QueueEntry::id).containsExactly("1-0", "3-0");
		assertThat(a.calls().get(0).entries()).isEqualTo(3);
		assertThat(a.lastId()).isEqualTo("4-0");
	}

	@Test
	void writesOfAnotherMethodInBetweenKeepTheirOrder() {
		KeyWork a = KeyRuns.of(List.of(entry("1-0", "a", "save"), entry("2-0", "a", "price"),
				entry("3-0", "a", "save"), entry("4-0", "a", "save"))).get(0);
		assertThat(a.calls()).extracting((call) -> call.entry().id()).containsExactly("1-0", "2-0", "4-0");
	}

	@Test
	void onlyFinishedCallsCountAsAcknowledgeable() {
		KeyWork a = KeyRuns.of(List.of(entry("1-0", "a", "save"), entry("2-0", "a", "save"),
				entry("3-0", "a", "price"))).get(0);
		assertThat(a.finishedIds()).isEmpty();
		a.advance();
		assertThat(a.finishedIds()).containsExactly("1-0", "2-0");
		assertThat(a.done()).isFalse();
		a.advance();
		assertThat(a.done()).isTrue();
		assertThat(a.finishedIds()).containsExactly("1-0", "2-0", "3-0");
	}

	@Test
	void aCoalescedCallThatIsGivenUpIsSplitSoThatTheWritesItCoveredAreTriedOnTheirOwnFirst() {
		// issue 16 item 5: a dead letter must not take the writes it covered with it
		KeyWork a = KeyRuns.of(List.of(entry("1-0", "a", "save"), entry("2-0", "a", "save"),
				entry("3-0", "a", "save"))).get(0);
		assertThat(a.failed("refused")).isEqualTo(1);
		assertThat(a.failed("refused again")).isEqualTo(2);
		assertThat(a.uncoalesce()).isTrue();
		assertThat(a.calls()).extracting((call) -> call.entry().id()).containsExactly("1-0", "2-0", "3-0");
		assertThat(a.next().failures()).as("the first covered write, never tried on its own").isZero();
		a.advance();
		a.advance();
		assertThat(a.next().failures()).as("the write that failed keeps its failures").isEqualTo(2);
		assertThat(a.next().error()).isEqualTo("refused again");
		assertThat(a.uncoalesce()).as("nothing left to split").isFalse();
		a.advance();
		assertThat(a.finishedIds()).containsExactly("1-0", "2-0", "3-0");
	}

}
