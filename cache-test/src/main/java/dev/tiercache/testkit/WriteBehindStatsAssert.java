package dev.tiercache.testkit;

import org.assertj.core.api.AbstractAssert;

import dev.tiercache.writebehind.WriteBehindStats;

/**
 * Assertions over a write-behind queue's {@link WriteBehindStats}, such as those
 * {@link TestCaches#writeBehind} counts from the start of a test. Writes are applied in the background:
 * {@link TestCaches#awaitWriteBehind} first, to assert on what was applied. Obtain one with
 * {@link TiercacheAssertions#assertThat(WriteBehindStats)}.
 */
public final class WriteBehindStatsAssert extends AbstractAssert<WriteBehindStatsAssert, WriteBehindStats> {

	WriteBehindStatsAssert(WriteBehindStats actual) {
		super(actual, WriteBehindStatsAssert.class);
	}

	/** Calls this instance queued. */
	public WriteBehindStatsAssert hasEnqueued(long expected) {
		return has("queued calls", expected, this.actual.enqueued());
	}

	/** Queue entries this instance applied to the database (those coalesced away included). */
	public WriteBehindStatsAssert hasApplied(long expected) {
		return has("applied entries", expected, this.actual.applied());
	}

	/** Calls of the write method (or items of batch calls) this instance made to apply entries. */
	public WriteBehindStatsAssert hasMethodCalls(long expected) {
		return has("write method calls", expected, this.actual.methodCalls());
	}

	/** Entries this instance moved to the dead-letter stream. */
	public WriteBehindStatsAssert hasDeadLettered(long expected) {
		return has("dead-lettered entries", expected, this.actual.deadLettered());
	}

	/** Calls refused with a {@code WriteBehindUnavailableException}. */
	public WriteBehindStatsAssert hasRefused(long expected) {
		return has("refused calls", expected, this.actual.refused());
	}

	/** No entry is queued, across all instances. */
	public WriteBehindStatsAssert isDrained() {
		return has("entries still queued", 0, this.actual.depth());
	}

	private WriteBehindStatsAssert has(String counter, long expected, long actual) {
		isNotNull();
		if (actual != expected) {
			failWithMessage("Expected write-behind of cache '%s' to count %d %s but it counted %d, in %s",
					this.actual.cache(), expected, counter, actual, this.actual);
		}
		return this;
	}

}
