package dev.tiercache.coherence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The namespace floor of one cache: the version only moves forward, moving from a known version clears
 * L1, a read that began before this instance's own bump does not move it, and a bump always clears L1.
 */
class NamespaceVersionTests {

	private final CountingCopies copies = new CountingCopies();

	private final NamespaceVersion version = new NamespaceVersion(this.copies);

	@Test
	void theFirstVersionReadIsTakenWithoutClearingL1() {
		assertThat(this.version.current()).isEqualTo(NamespaceVersion.UNKNOWN);
		this.version.read(3, this.version.stamp());
		assertThat(this.version.current()).isEqualTo(3);
		assertThat(this.copies.clears).hasValue(0);
	}

	@Test
	void aNewerVersionReadClearsL1AndAnOlderOneIsIgnored() {
		this.version.read(3, this.version.stamp());
		this.version.read(5, this.version.stamp());
		assertThat(this.version.current()).isEqualTo(5);
		assertThat(this.copies.clears).as("moved from a known version: cleared elsewhere").hasValue(1);
		this.version.read(2, this.version.stamp());
		this.version.read(5, this.version.stamp());
		assertThat(this.version.current()).as("the floor").isEqualTo(5);
		assertThat(this.copies.clears).hasValue(1);
	}

	@Test
	void aReadThatBeganBeforeThisInstancesBumpDoesNotMoveTheVersion() {
		this.version.read(3, this.version.stamp());
		NamespaceVersion.Stamp stampBeforeBump = this.version.stamp();
		this.version.bumped(4, this.version.current(), this.version.stamp());
		// the read saw Redis before the bump and another instance's later bump moved it past both
		this.version.read(7, stampBeforeBump);
		assertThat(this.version.current()).isEqualTo(4);
		this.version.read(7, this.version.stamp());
		assertThat(this.version.current()).isEqualTo(7);
	}

	@Test
	void aBumpClearsL1EvenWhenAnotherInstancesBumpGotThereFirst() {
		this.version.read(3, this.version.stamp());
		this.version.read(6, this.version.stamp());
		assertThat(this.copies.clears).hasValue(1);
		this.version.bumped(6, this.version.current(), this.version.stamp());
		assertThat(this.version.current()).isEqualTo(6);
		assertThat(this.copies.clears).as("this instance's clear must leave L1 empty").hasValue(2);
		this.version.bumped(7, this.version.current(), this.version.stamp());
		assertThat(this.copies.clears).hasValue(3);
	}

	/**
	 * A read finding the version in use, or this instance's own bump from it to the next one, confirms
	 * it to the cache (its writes under it were made while it was current); a move tells the cache the
	 * new version; a bump that finds another instance's bump first confirms nothing.
	 */
	@Test
	void theCacheHearsWhichVersionsAreConfirmedAndWhereTheVersionMoved() {
		this.version.read(3, this.version.stamp());
		this.version.read(3, this.version.stamp());
		this.version.bumped(4, 3, this.version.stamp());
		this.version.bumped(6, 4, this.version.stamp());
		this.version.read(7, this.version.stamp());
		assertThat(this.copies.events).containsExactly("confirmed 3", "confirmed 3", "moved 4", "moved 6",
				"moved 7");
	}

	private static final class CountingCopies implements LocalCopies {

		private final AtomicInteger clears = new AtomicInteger();

		private final List<String> events = new ArrayList<>();

		@Override
		public void namespaceConfirmed(long version, long startedNanos) {
			this.events.add("confirmed " + version);
		}

		@Override
		public void namespaceMoved(long version) {
			this.events.add("moved " + version);
		}

		@Override
		public String cacheName() {
			return "books";
		}

		@Override
		public long namespace() {
			return 0;
		}

		@Override
		public @Nullable Suspect reported(String renderedKey) {
			return null;
		}

		@Override
		public void dropped(String renderedKey) {
		}

		@Override
		public void clear() {
			this.clears.incrementAndGet();
		}

	}

}
