package dev.tiercache.codec;

/**
 * Thrown when stored bytes cannot be turned back into a value: a corrupt or unknown envelope, a
 * corrupt payload, or a class the deserialization allow-list refuses. The entry is then treated as a
 * miss and deleted. A payload that is intact but of another type is a
 * {@link ValueTypeMismatchException}, and its entry is kept.
 */
public class ValueDecodingException extends RuntimeException {

	public ValueDecodingException(String message) {
		super(message);
	}

	public ValueDecodingException(String message, Throwable cause) {
		super(message, cause);
	}

}
