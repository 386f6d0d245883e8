package dev.tiercache.writebehind;

import java.util.concurrent.atomic.LongAdder;

/** What one instance did with one cache's queue: {@link LongAdder}s, safe to bump from any thread. */
final class QueueCounters {

	final LongAdder enqueued = new LongAdder();

	final LongAdder synchronousWrites = new LongAdder();

	final LongAdder refused = new LongAdder();

	final LongAdder applied = new LongAdder();

	final LongAdder methodCalls = new LongAdder();

	final LongAdder batchCalls = new LongAdder();

	final LongAdder retries = new LongAdder();

	final LongAdder deadLettered = new LongAdder();

}
