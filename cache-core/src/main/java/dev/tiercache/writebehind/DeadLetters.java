package dev.tiercache.writebehind;

import java.util.Map;
import java.util.regex.Pattern;

import io.lettuce.core.StreamMessage;

/**
 * Reads dead-letter stream entries: the queue entry's fields plus {@code e}, {@code n} and {@code p}.
 * Each partition has a dead-letter stream of its own, so a dead letter's id names its partition and
 * its id in that stream: {@code <partition>-<stream id>}.
 */
final class DeadLetters {

	static final String ERROR = "e";

	private static final Pattern STREAM_ID = Pattern.compile("\\d+-\\d+");

	static final String ATTEMPTS = "n";

	private DeadLetters() {
	}

	/**
	 * Where a dead letter's id says it is.
	 * @throws IllegalArgumentException if the id is not one that {@link #of} made for one of
	 * {@code partitions} partitions
	 */
	static Location locate(String id, int partitions) {
		int dash = id.indexOf('-');
		String streamId = id.substring(dash + 1);
		try {
			int partition = (dash > 0) ? Integer.parseInt(id.substring(0, dash)) : -1;
			if (partition >= 0 && partition < partitions && STREAM_ID.matcher(streamId).matches()) {
				return new Location(partition, streamId);
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("'" + id + "' is not the id of a dead letter: ids are listed with the "
				+ "dead letters, as <partition>-<stream id>, such as 3-1733000000000-0");
	}

	/**
	 * Where a dead letter is.
	 * @param partition the partition whose dead-letter stream holds it
	 * @param streamId its id in that stream
	 */
	record Location(int partition, String streamId) {
	}

	static DeadLetter of(String cache, int partition, StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = QueueEntry.fields(message);
		String attempts = QueueEntry.text(fields, ATTEMPTS);
		return new DeadLetter(partition + "-" + message.getId(), cache, QueueEntry.text(fields, QueueEntry.KEY),
				QueueEntry.text(fields, QueueEntry.METHOD), QueueEntry.text(fields, ERROR),
				attempts.isEmpty() ? 0 : Integer.parseInt(attempts), QueueEntry.timeOf(message.getId()));
	}

}
