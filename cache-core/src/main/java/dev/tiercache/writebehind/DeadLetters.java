package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.lettuce.core.StreamMessage;

/** Reads dead-letter stream entries: the queue entry's fields plus {@code e}, {@code n} and {@code p}. */
final class DeadLetters {

	static final String ERROR = "e";

	static final String ATTEMPTS = "n";

	private DeadLetters() {
	}

	static DeadLetter of(String cache, StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = fields(message);
		return new DeadLetter(message.getId(), cache, text(fields, QueueEntry.KEY), text(fields, QueueEntry.METHOD),
				text(fields, ERROR), Integer.parseInt(text(fields, ATTEMPTS).isEmpty() ? "0" : text(fields, ATTEMPTS)),
				QueueEntry.timeOf(message.getId()));
	}

	/** The entry's fields by name (Lettuce gives them with array keys). */
	static Map<String, byte[]> fields(StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = new HashMap<>();
		message.getBody().forEach((name, value) -> fields.put(new String(name, StandardCharsets.UTF_8), value));
		return fields;
	}

	private static String text(Map<String, byte[]> fields, String name) {
		byte[] value = fields.get(name);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : "";
	}

}
