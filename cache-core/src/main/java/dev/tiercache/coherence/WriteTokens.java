package dev.tiercache.coherence;

/**
 * Tokens of the bytes an instance wrote to Redis: a 64-bit FNV-1a hash of the framed value, never
 * {@link #NONE}. An L1 entry written by this instance carries the token of its bytes, so that a check
 * can tell whether Redis still holds what was written (bytes of another write have another token but
 * by a 2<sup>-64</sup> chance). Pure functions; thread-safe.
 */
public final class WriteTokens {

	/** The token of an entry this instance read or loaded without writing it to Redis. */
	public static final long NONE = 0;

	private WriteTokens() {
	}

	/** The token of framed bytes this instance wrote to Redis; never {@link #NONE}. */
	public static long of(byte[] framed) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : framed) {
			hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
		}
		return (hash != NONE) ? hash : 1;
	}

}
