package dev.tiercache.writebehind;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The {@code @WriteBehind} methods registered with one cache's queue, by the id their entries carry,
 * and how an entry's arguments are read back for its method. Thread-safe.
 */
final class QueueMethods {

	private final String cacheName;

	private final ArgumentCodec arguments;

	private final Map<String, WriteBehindMethod> methods = new ConcurrentHashMap<>();

	/** The ids as entries carry them, encoded once. */
	private final Map<WriteBehindMethod, byte[]> ids = new ConcurrentHashMap<>();

	QueueMethods(String cacheName, ArgumentCodec arguments) {
		this.cacheName = cacheName;
		this.arguments = arguments;
	}

	/**
	 * Registers a method, so that its entries are applied here.
	 * @throws IllegalStateException if another method has its id
	 */
	void register(WriteBehindMethod method) {
		WriteBehindMethod previous = this.methods.putIfAbsent(method.id(), method);
		this.ids.putIfAbsent(method, QueueKeys.utf8(method.id()));
		if (previous != null && previous != method) {
			throw new IllegalStateException("Two @WriteBehind methods of cache '" + this.cacheName + "' have the id "
					+ method.id() + "; write-behind needs one bean per class with @WriteBehind methods");
		}
	}

	/**
	 * The id a registered method's entries carry.
	 * @throws IllegalStateException if the method was not registered
	 */
	byte[] idOf(WriteBehindMethod method) {
		byte[] id = this.ids.get(method);
		if (id == null) {
			throw new IllegalStateException(method.id() + " was not registered with the write-behind queue of cache '"
					+ this.cacheName + "'");
		}
		return id;
	}

	/** The method whose entries carry {@code id}, or {@code null} if none is registered on this instance. */
	@Nullable WriteBehindMethod method(String id) {
		return this.methods.get(id);
	}

	/**
	 * An entry's arguments, decoded for its method.
	 * @throws RuntimeException if they cannot be read
	 */
	@Nullable Object[] arguments(WriteBehindMethod method, QueueEntry entry) {
		return this.arguments.decode(entry.arguments(), method.parameterTypes());
	}

}
