package dev.tiercache.codec;

/**
 * Thrown by a {@link ValueCodec} that cannot store a value. The value is then not cached; the call
 * that produced it still succeeds.
 */
public class ValueEncodingException extends RuntimeException {

	public ValueEncodingException(String message) {
		super(message);
	}

	public ValueEncodingException(String message, Throwable cause) {
		super(message, cause);
	}

}
