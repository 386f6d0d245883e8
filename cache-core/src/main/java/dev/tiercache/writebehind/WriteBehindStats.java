package dev.tiercache.writebehind;

/**
 * A snapshot of one cache's write-behind queue: how far behind the database is, and what happened to
 * the writes this instance handled since it started.
 *
 * @param cache the cache name
 * @param depth entries in the queue, read or not, across all instances
 * @param oldestAgeMillis the age of the oldest entry in the queue; zero when it is empty
 * @param deadLetters entries in the dead-letter stream now
 * @param enqueued calls this instance queued
 * @param synchronousWrites calls this instance ran synchronously because Redis could not take the
 * entry (or did not confirm its durability)
 * @param applied queue entries this instance applied (including those coalesced away)
 * @param methodCalls calls of the write method (or items of batch calls) this instance made for them
 * @param batchCalls calls of the batch method
 * @param retries retried calls
 * @param deadLettered entries this instance moved to the dead-letter stream
 */
public record WriteBehindStats(String cache, long depth, long oldestAgeMillis, long deadLetters, long enqueued,
		long synchronousWrites, long applied, long methodCalls, long batchCalls, long retries, long deadLettered) {

	/** Entries applied without a call of their own: a later write of the same key covered them. */
	public long coalesced() {
		return Math.max(0, this.applied - this.methodCalls);
	}

}
