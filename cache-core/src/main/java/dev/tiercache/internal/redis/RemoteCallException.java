package dev.tiercache.internal.redis;

/**
 * Thrown when a Redis call fails, times out, or cannot be made because Redis is unreachable.
 * Tiercache treats it as an L2 miss: the caller is served by the loader and the error is counted.
 */
public class RemoteCallException extends RuntimeException {

	public RemoteCallException(String message, Throwable cause) {
		super(message, cause);
	}

	/** An exception to throw many times, for a condition whose stack trace says nothing: no cause, no trace. */
	public RemoteCallException(String message) {
		super(message, null, false, false);
	}

}
