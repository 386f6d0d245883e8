package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.redis.RemoteCommands;
import dev.tiercache.stampede.EntryKeys;
import dev.tiercache.stampede.LeaseLocks;
import dev.tiercache.stampede.LoadNotifications;

/**
 * The L2 tier shared by every cache of one manager: Redis access, key layout, leases, wake-ups and
 * the codec.
 *
 * <p>Key layout, with {@code <key>} the {@link KeyRenderer rendered} key: values at
 * {@code <prefix>:{<cache>:<key>}}, leases at {@code <prefix>:lock:{<cache>:<key>}} and waiter flags at
 * {@code <prefix>:wait:{<cache>:<key>}} (the same hash tag, so one cluster slot), wake-ups on the
 * channel {@code <prefix>:tiercache:loads}. Thread-safe.
 */
final class RemoteTier implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RemoteTier.class);

	private final RemoteCommands commands;

	private final String keyPrefix;

	private final byte[] channel;

	private final ValueCodec codec;

	private final int maxValueBytes;

	private final LeaseLocks leases;

	private final LoadNotifications notifications = new LoadNotifications();

	private final KeyRenderer renderer = new KeyRenderer();

	private final Set<Class<?>> unencodableClasses = ConcurrentHashMap.newKeySet();

	RemoteTier(RemoteCommands commands, String keyPrefix, ValueCodec codec, int maxValueBytes, Duration shortestLease) {
		if (keyPrefix.isEmpty() || keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
			throw new IllegalArgumentException(
					"Key prefix must be non-empty and free of '{' and '}' (they mark Redis hash tags), but was '"
							+ keyPrefix + "'");
		}
		if (maxValueBytes <= 0) {
			throw new IllegalArgumentException("Maximum value size must be positive, but was " + maxValueBytes);
		}
		this.commands = commands;
		this.keyPrefix = keyPrefix;
		this.channel = (keyPrefix + ":tiercache:loads").getBytes(StandardCharsets.UTF_8);
		this.codec = codec;
		this.maxValueBytes = maxValueBytes;
		this.leases = new LeaseLocks(commands, this.channel, shortestLease);
	}

	RemoteKey keyOf(String cacheName, Object key) {
		return new RemoteKey(this.keyPrefix, "{" + cacheName + ":" + this.renderer.render(key) + "}");
	}

	/** A glob pattern matching every value key of a cache. */
	byte[] valuePattern(String cacheName) {
		return (globEscape(this.keyPrefix) + ":\\{" + globEscape(cacheName) + ":*")
			.getBytes(StandardCharsets.UTF_8);
	}

	RemoteCommands commands() {
		return this.commands;
	}

	LeaseLocks leases() {
		return this.leases;
	}

	LoadNotifications notifications() {
		return this.notifications;
	}

	byte[] channel() {
		return this.channel.clone();
	}

	String keyPrefix() {
		return this.keyPrefix;
	}

	ValueCodec codec() {
		return this.codec;
	}

	int maxValueBytes() {
		return this.maxValueBytes;
	}

	/** Logs the first time values of a class cannot be stored; later ones only at debug level. */
	void logUnencodable(String cacheName, Class<?> type, RuntimeException reason) {
		if (this.unencodableClasses.add(type)) {
			logger.warn("Tiercache cache '" + cacheName + "' does not store values of " + type.getName()
					+ " (counted as encode failures; calls still succeed): " + reason.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + cacheName + "' did not store a " + type.getName(), reason);
		}
	}

	private static String globEscape(String text) {
		StringBuilder out = new StringBuilder(text.length() + 4);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '{' || c == '}') {
				out.append('\\');
			}
			out.append(c);
		}
		return out.toString();
	}

	@Override
	public void close() {
		this.leases.close();
		this.commands.close();
	}

	/**
	 * The Redis keys of one cache entry: where the framed value lives, and the {@link EntryKeys} of
	 * its lease and waiters (built only when needed, since a hit does not). Used by one thread at a
	 * time.
	 */
	static final class RemoteKey {

		private final String keyPrefix;

		private final String tagged;

		private final byte[] value;

		private @Nullable EntryKeys entry;

		private RemoteKey(String keyPrefix, String tagged) {
			this.keyPrefix = keyPrefix;
			this.tagged = tagged;
			this.value = (keyPrefix + ":" + tagged).getBytes(StandardCharsets.UTF_8);
		}

		byte[] value() {
			return this.value;
		}

		EntryKeys entry() {
			EntryKeys keys = this.entry;
			if (keys == null) {
				keys = new EntryKeys(this.value, (this.keyPrefix + ":lock:" + this.tagged).getBytes(StandardCharsets.UTF_8),
						(this.keyPrefix + ":wait:" + this.tagged).getBytes(StandardCharsets.UTF_8));
				this.entry = keys;
			}
			return keys;
		}

	}

}
