package dev.tiercache.writebehind;

import java.util.Map;

import io.lettuce.core.StreamMessage;

/** Reads dead-letter stream entries: the queue entry's fields plus {@code e}, {@code n} and {@code p}. */
final class DeadLetters {

	static final String ERROR = "e";

	static final String ATTEMPTS = "n";

	private DeadLetters() {
	}

	static DeadLetter of(String cache, StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = QueueEntry.fields(message);
		String attempts = QueueEntry.text(fields, ATTEMPTS);
		return new DeadLetter(message.getId(), cache, QueueEntry.text(fields, QueueEntry.KEY),
				QueueEntry.text(fields, QueueEntry.METHOD), QueueEntry.text(fields, ERROR),
				attempts.isEmpty() ? 0 : Integer.parseInt(attempts), QueueEntry.timeOf(message.getId()));
	}

}
