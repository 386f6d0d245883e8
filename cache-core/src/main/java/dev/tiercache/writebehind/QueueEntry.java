package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.StreamMessage;

/**
 * One queued call as read from its stream: fields {@code k} (the rendered cache key), {@code m} (the
 * method id), {@code a} (the encoded arguments), {@code r} on a dead letter put back in the queue, and
 * {@code u} on a call whose value the cache could not hold (its key was deleted instead).
 *
 * @param id the stream entry id
 * @param key the rendered cache key
 * @param method the method id
 * @param arguments the encoded arguments
 * @param uncached whether the cache does not hold its value (a dead letter put back in the queue, or a
 * value the cache could not hold), so that what the cache holds for its key may be older: the key is
 * evicted once it is applied
 */
record QueueEntry(String id, String key, String method, byte[] arguments, boolean uncached) {

	static final String KEY = "k";

	static final String METHOD = "m";

	static final String ARGUMENTS = "a";

	static final String REQUEUED = "r";

	static final String UNCACHED = "u";

	/** Reads a stream entry written by the queue (or a dead letter, which holds the same fields). */
	static QueueEntry of(StreamMessage<byte[], byte[]> message) {
		return of(message.getId(), fields(message));
	}

	private static QueueEntry of(String id, Map<String, byte[]> fields) {
		return new QueueEntry(id, text(fields, KEY), text(fields, METHOD), fields.getOrDefault(ARGUMENTS, new byte[0]),
				fields.containsKey(REQUEUED) || fields.containsKey(UNCACHED));
	}

	/**
	 * Reads an entry as a script returns it: its id, then its fields and values in one list (or
	 * nothing, for an entry deleted while it was pending).
	 */
	static QueueEntry of(List<?> reply) {
		String id = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
		Map<String, byte[]> fields = new HashMap<>();
		if (reply.size() > 1 && reply.get(1) instanceof List<?> body) {
			for (int i = 0; i + 1 < body.size(); i += 2) {
				fields.put(new String((byte[]) body.get(i), StandardCharsets.UTF_8), (byte[]) body.get(i + 1));
			}
		}
		return of(id, fields);
	}

	/** A stream entry's fields by name (Lettuce gives them as a map with array keys, equal only by identity). */
	static Map<String, byte[]> fields(StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = new HashMap<>();
		message.getBody().forEach((name, value) -> fields.put(new String(name, StandardCharsets.UTF_8), value));
		return fields;
	}

	/** A field as text; empty when it is missing. */
	static String text(Map<String, byte[]> fields, String name) {
		byte[] value = fields.get(name);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : "";
	}

	/** The time the entry was added, from its id (epoch milliseconds). */
	static long timeOf(String id) {
		int dash = id.indexOf('-');
		return Long.parseLong((dash >= 0) ? id.substring(0, dash) : id);
	}

}
