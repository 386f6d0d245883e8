package dev.tiercache.writebehind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * What operators see of one cache's queue and do with its dead letters: its depth and lag across all
 * instances, this instance's counters, the dead letters, and putting one back or dropping it. Every
 * call reads Redis now. Thread-safe.
 */
final class QueueInspector {

	private final String cacheName;

	private final RemoteCommands commands;

	private final QueueKeys keys;

	private final QueueCounters counters;

	QueueInspector(String cacheName, RemoteCommands commands, QueueKeys keys, QueueCounters counters) {
		this.cacheName = cacheName;
		this.commands = commands;
		this.keys = keys;
		this.counters = counters;
	}

	/**
	 * How many entries all partitions hold, across all instances.
	 * @throws RemoteCallException if Redis fails
	 */
	long depth() {
		return totalLength(this.keys::stream);
	}

	/** How many entries a stream of every partition holds in all, {@code streamOf} naming it. */
	private long totalLength(IntFunction<byte[]> streamOf) {
		long total = 0;
		for (int p = 0; p < this.keys.partitions(); p++) {
			byte[] stream = streamOf.apply(p);
			Long length = this.commands.call((redis) -> redis.xlen(stream));
			total += (length != null) ? length : 0;
		}
		return total;
	}

	/** @throws RemoteCallException if Redis fails */
	WriteBehindStats stats() {
		long oldest = Long.MAX_VALUE;
		for (int p = 0; p < this.keys.partitions(); p++) {
			byte[] stream = this.keys.stream(p);
			List<StreamMessage<byte[], byte[]>> first = this.commands
				.call((redis) -> redis.xrange(stream, Range.create("-", "+"), Limit.from(1)));
			if (first != null && !first.isEmpty()) {
				oldest = Math.min(oldest, QueueEntry.timeOf(first.get(0).getId()));
			}
		}
		long dead = totalLength(this.keys::dead);
		long age = (oldest == Long.MAX_VALUE) ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
		QueueCounters c = this.counters;
		return new WriteBehindStats(this.cacheName, depth(), age, dead, c.enqueued.sum(),
				c.synchronousWrites.sum(), c.refused.sum(), c.applied.sum(), c.methodCalls.sum(), c.batchCalls.sum(),
				c.retries.sum(), c.deadLettered.sum());
	}

	/**
	 * The oldest {@code max} dead letters of all partitions, oldest first.
	 * @throws RemoteCallException if Redis fails
	 */
	List<DeadLetter> deadLetters(int max) {
		List<DeadLetter> letters = new ArrayList<>();
		for (int p = 0; p < this.keys.partitions(); p++) {
			byte[] stream = this.keys.dead(p);
			List<StreamMessage<byte[], byte[]>> messages = this.commands
				.call((redis) -> redis.xrange(stream, Range.create("-", "+"), Limit.from(max)));
			if (messages != null) {
				for (StreamMessage<byte[], byte[]> message : messages) {
					letters.add(DeadLetters.of(this.cacheName, p, message));
				}
			}
		}
		letters.sort(Comparator.comparingLong(DeadLetter::failedAtMillis));
		return List.copyOf(letters.subList(0, Math.min(max, letters.size())));
	}

	/**
	 * Puts a dead letter back in its partition's stream.
	 * @return whether it existed
	 * @throws RemoteCallException if Redis fails
	 */
	boolean requeue(String id) {
		DeadLetters.Location location = DeadLetters.locate(id, this.keys.partitions());
		int partition = location.partition();
		String streamId = location.streamId();
		byte[] dead = this.keys.dead(partition);
		List<StreamMessage<byte[], byte[]>> found = this.commands
			.call((redis) -> redis.xrange(dead, Range.create(streamId, streamId)));
		if (found == null || found.isEmpty()) {
			return false;
		}
		QueueEntry entry = QueueEntry.of(found.get(0));
		if (this.keys.partitionOf(entry.key()) != partition) {
			throw new IllegalStateException("Dead letter " + id + " of cache '" + this.cacheName + "' was queued when "
					+ "the cache had another number of write-behind partitions ('partitions'), so its key's pending "
					+ "writes are elsewhere now: apply it by hand and drop it");
		}
		byte[] requeued = this.commands.eval(QueueScripts.REQUEUE, ScriptOutputType.VALUE,
				new byte[][] { dead, this.keys.stream(partition), this.keys.pending(partition) },
				QueueKeys.ascii(streamId), QueueKeys.GROUP, QueueKeys.utf8(entry.key()), QueueKeys.utf8(entry.method()),
				entry.arguments());
		return requeued != null;
	}

	/**
	 * Deletes a dead letter.
	 * @return whether it existed
	 * @throws RemoteCallException if Redis fails
	 */
	boolean drop(String id) {
		DeadLetters.Location location = DeadLetters.locate(id, this.keys.partitions());
		Long deleted = this.commands
			.call((redis) -> redis.xdel(this.keys.dead(location.partition()), location.streamId()));
		return deleted != null && deleted > 0;
	}

}
