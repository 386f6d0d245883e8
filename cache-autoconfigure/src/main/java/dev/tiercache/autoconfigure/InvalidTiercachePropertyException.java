package dev.tiercache.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when a {@code tiercache.*} property holds a value Tiercache cannot use; names
 * the property, its value and why.
 */
public class InvalidTiercachePropertyException extends IllegalStateException {

	private final String property;

	private final @Nullable Object value;

	public InvalidTiercachePropertyException(String property, @Nullable Object value, String reason) {
		super("Invalid Tiercache property '" + property + "' = '" + value + "': " + reason);
		this.property = property;
		this.value = value;
	}

	/** The full name of the property, such as {@code tiercache.caches.books.ttl}. */
	public String getProperty() {
		return this.property;
	}

	public @Nullable Object getValue() {
		return this.value;
	}

}
