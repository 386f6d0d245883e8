package dev.tiercache.codec;

/**
 * Thrown by a {@link ValueCodec} when a payload is intact but is not a value of the type the reader
 * asked for (another method caching under the same key with another type, or a class changed
 * incompatibly since the value was written). Unlike other {@link ValueDecodingException}s, the entry
 * is left in place: a read with the wrong type never deletes a good entry. A read-through replaces
 * it with the value its loader returns.
 */
public class ValueTypeMismatchException extends ValueDecodingException {

	public ValueTypeMismatchException(String message) {
		super(message);
	}

	public ValueTypeMismatchException(String message, Throwable cause) {
		super(message, cause);
	}

}
