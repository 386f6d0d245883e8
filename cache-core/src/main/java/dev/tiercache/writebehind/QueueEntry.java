package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One queued call as read from its stream: fields {@code k} (the rendered cache key), {@code m} (the
 * method id) and {@code a} (the encoded arguments).
 *
 * @param id the stream entry id
 * @param key the rendered cache key
 * @param method the method id
 * @param arguments the encoded arguments
 */
record QueueEntry(String id, String key, String method, byte[] arguments) {

	static final String KEY = "k";

	static final String METHOD = "m";

	static final String ARGUMENTS = "a";

	/** Reads an entry's fields (Lettuce gives them as a map with array keys, so they are matched by content). */
	static QueueEntry of(String id, Map<byte[], byte[]> body) {
		byte @Nullable [] key = null;
		byte @Nullable [] method = null;
		byte[] arguments = new byte[0];
		for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
			String name = new String(field.getKey(), StandardCharsets.UTF_8);
			switch (name) {
				case KEY -> key = field.getValue();
				case METHOD -> method = field.getValue();
				case ARGUMENTS -> arguments = field.getValue();
				default -> {
				}
			}
		}
		return new QueueEntry(id, (key != null) ? new String(key, StandardCharsets.UTF_8) : "",
				(method != null) ? new String(method, StandardCharsets.UTF_8) : "", arguments);
	}

	/** The time the entry was added, from its id (epoch milliseconds). */
	static long timeOf(String id) {
		int dash = id.indexOf('-');
		return Long.parseLong((dash >= 0) ? id.substring(0, dash) : id);
	}

}
