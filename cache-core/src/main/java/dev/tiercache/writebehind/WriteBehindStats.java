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
 * @param synchronousWrites calls this instance ran synchronously, on the caller's thread, because they
 * cannot be queued (the codec cannot encode their arguments, or durability {@code aof} on a Redis
 * without {@code WAITAOF}) and no write of their key was queued
 * @param refused calls this instance neither queued nor ran, throwing a
 * {@link WriteBehindUnavailableException}: Redis could not take the entry (or did not confirm it as
 * durable as configured before a flusher applied it), or the call cannot be queued while a write of
 * its key was
 * @param applied queue entries this instance applied (including those coalesced away)
 * @param methodCalls calls of the write method (or items of batch calls) this instance made for them
 * @param batchCalls calls of the batch method
 * @param retries retried calls
 * @param deadLettered entries this instance moved to the dead-letter stream
 */
public record WriteBehindStats(String cache, long depth, long oldestAgeMillis, long deadLetters, long enqueued,
		long synchronousWrites, long refused, long applied, long methodCalls, long batchCalls, long retries,
		long deadLettered) {

	/** Entries applied without a call of their own: a later write of the same key covered them. */
	public long coalesced() {
		return Math.max(0, this.applied - this.methodCalls);
	}

	/**
	 * What this instance did between an earlier snapshot of the same queue and this one: each counter
	 * less its earlier value; the queue's state ({@code depth}, {@code oldestAgeMillis},
	 * {@code deadLetters}) as this snapshot saw it.
	 * @param earlier a snapshot of this queue taken before this one
	 */
	public WriteBehindStats since(WriteBehindStats earlier) {
		return new WriteBehindStats(this.cache, this.depth, this.oldestAgeMillis, this.deadLetters,
				this.enqueued - earlier.enqueued, this.synchronousWrites - earlier.synchronousWrites,
				this.refused - earlier.refused, this.applied - earlier.applied, this.methodCalls - earlier.methodCalls,
				this.batchCalls - earlier.batchCalls, this.retries - earlier.retries,
				this.deadLettered - earlier.deadLettered);
	}

}
