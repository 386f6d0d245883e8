package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.writebehind.KeyRuns.KeyWork;

/**
 * The Redis side of one partition of a queue, as its owner on this instance uses it: reading entries
 * for this instance's consumer, claiming what earlier owners left, acknowledging what was applied and
 * moving entries to the dead letters. Every call but {@link #createGroup} is fenced by the partition's
 * lease and the token it was taken under ({@link QueueScripts}): one that another instance took over
 * fails with a {@linkplain QueueScripts#fenced fenced} {@link RemoteCallException}. Thread-safe.
 */
final class PartitionStream {

	/** The stream id before every entry. */
	private static final String START = "0-0";

	private final RemoteCommands commands;

	private final int partition;

	private final byte[] stream;

	private final byte[] pending;

	private final byte[] deadLetters;

	private final byte[] lease;

	private final byte[] consumer;

	private final byte[] batchSize;

	PartitionStream(RemoteCommands commands, QueueKeys keys, int partition, byte[] consumer, int batchSize) {
		this.commands = commands;
		this.partition = partition;
		this.stream = keys.stream(partition);
		this.pending = keys.pending(partition);
		this.deadLetters = keys.dead(partition);
		this.lease = keys.lease(partition);
		this.consumer = consumer;
		this.batchSize = QueueKeys.ascii(batchSize);
	}

	/** Creates the consumer group (and the stream) unless they exist. */
	void createGroup() {
		try {
			this.commands.call((redis) -> redis.xgroupCreate(XReadArgs.StreamOffset.from(this.stream, "0"),
					QueueKeys.GROUP, XGroupCreateArgs.Builder.mkstream()));
		}
		catch (RemoteCallException ex) {
			if (!(ex.getCause() instanceof RedisBusyException) && !String.valueOf(ex.getMessage()).contains("BUSYGROUP")) {
				throw ex;
			}
		}
	}

	/**
	 * Claims for this instance every entry read but not acknowledged by earlier owners, however long
	 * they were idle.
	 * @return how many were claimed
	 */
	long claimAbandoned(byte[] token) {
		createGroup();
		String cursor = START;
		long claimed = 0;
		do {
			List<Object> page = this.commands.eval(QueueScripts.CLAIM, ScriptOutputType.MULTI,
					new byte[][] { this.stream, this.lease }, token, QueueKeys.GROUP, this.consumer,
					QueueKeys.ascii(cursor), this.batchSize);
			if (page == null || page.size() < 2) {
				return claimed;
			}
			cursor = new String((byte[]) page.get(0), StandardCharsets.US_ASCII);
			claimed += (page.get(1) instanceof Long count) ? count : 0;
		}
		while (!START.equals(cursor));
		return claimed;
	}

	/**
	 * Reads a batch of entries for this instance's consumer, creating the group if Redis lost it.
	 * @param from {@code 0} for this consumer's pending entries, {@code >} for new ones
	 */
	Read read(byte[] token, String from) {
		List<Object> reply;
		try {
			reply = readReply(token, from);
		}
		catch (RemoteCallException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("NOGROUP")) {
				throw ex;
			}
			createGroup();
			reply = readReply(token, from);
		}
		String lineage = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
		List<?> replies = (List<?>) reply.get(1);
		List<QueueEntry> entries = new ArrayList<>(replies.size());
		for (Object entry : replies) {
			entries.add(QueueEntry.of((List<?>) entry));
		}
		return new Read(lineage, entries);
	}

	private List<Object> readReply(byte[] token, String from) {
		List<Object> reply = this.commands.eval(QueueScripts.READ, ScriptOutputType.MULTI,
				new byte[][] { this.stream, this.lease }, token, QueueKeys.GROUP, this.consumer, this.batchSize,
				QueueKeys.ascii(from));
		if (reply == null || reply.size() != 2) {
			throw new RemoteCallException("Redis answered a read of write-behind partition " + this.partition
					+ " with " + reply);
		}
		return reply;
	}

	/**
	 * A batch read.
	 * @param lineage the {@linkplain QueueScripts#READ lineage} of the dataset it was read from
	 * @param entries the entries, in stream order
	 */
	record Read(String lineage, List<QueueEntry> entries) {
	}

	/**
	 * What acknowledging the settled entries of a batch sends: their ids, and each key whose every entry
	 * settled with its last id, so that its pending value is forgotten if no newer write of it came.
	 * @return the script's arguments, or {@code null} if nothing settled
	 */
	static byte @Nullable [][] acknowledgement(byte[] token, List<KeyWork> works) {
		List<byte[]> arguments = new ArrayList<>();
		arguments.add(token);
		arguments.add(QueueKeys.GROUP);
		arguments.add(null);
		int ids = 0;
		for (KeyWork work : works) {
			for (String id : work.finishedIds()) {
				arguments.add(QueueKeys.ascii(id));
				ids++;
			}
		}
		arguments.set(2, QueueKeys.ascii(ids));
		for (KeyWork work : works) {
			if (work.done()) {
				arguments.add(work.key().getBytes(StandardCharsets.UTF_8));
				arguments.add(QueueKeys.ascii(work.lastId()));
			}
		}
		return (arguments.size() == 3 && ids == 0) ? null : arguments.toArray(new byte[0][]);
	}

	/** Sends an {@link #acknowledgement}; idempotent, so it may be sent again when Redis did not confirm it. */
	void acknowledge(byte[][] acknowledgement) {
		this.commands.eval(QueueScripts.ACKNOWLEDGE, ScriptOutputType.INTEGER,
				new byte[][] { this.stream, this.pending, this.lease }, acknowledgement);
	}

	/**
	 * Moves an entry to the dead-letter stream with the error and attempts, and forgets the key's
	 * pending value if this was its latest write.
	 */
	void deadLetter(byte[] token, QueueEntry entry, String error, int attempts) {
		this.commands.eval(QueueScripts.DEAD_LETTER, ScriptOutputType.INTEGER,
				new byte[][] { this.stream, this.pending, this.deadLetters, this.lease }, QueueKeys.GROUP,
				QueueKeys.ascii(entry.id()), QueueKeys.utf8(entry.key()), QueueKeys.utf8(entry.method()),
				entry.arguments(), QueueKeys.utf8(error), QueueKeys.ascii(attempts), QueueKeys.ascii(this.partition),
				token);
	}

}
