package dev.tiercache.tier;

import java.nio.ByteBuffer;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;

/**
 * The binary frame of every value Tiercache stores in Redis.
 *
 * <pre>
 * offset  size  field
 * 0       1     format version ({@value #VERSION})
 * 1       1     flags: bit 0 = null marker, bits 4-7 = payload format of the codec
 * 2       8     written-at, epoch milliseconds
 * 10      8     soft expiry, epoch milliseconds (when the entry counts as expired)
 * 18      4     load duration, milliseconds (how long the loader took)
 * 22      n     payload (empty for a null marker)
 * </pre>
 *
 * <p>Instances are immutable views over the bytes they were read from; the payload is not copied.
 *
 * @param nullMarker whether the entry is a cached {@code null}
 * @param payloadFormat the codec's format tag
 * @param writtenAt when the entry was written, epoch milliseconds
 * @param softExpiresAt when the entry counts as expired, epoch milliseconds
 * @param loadMillis how long the loader took
 * @param source the framed bytes
 */
record Envelope(boolean nullMarker, int payloadFormat, long writtenAt, long softExpiresAt, int loadMillis,
		byte[] source) {

	/** The version written by this release; other versions are refused as corrupt. */
	static final byte VERSION = 1;

	/** The size of the header before the payload. */
	static final int HEADER_SIZE = 22;

	private static final int NULL_FLAG = 0x01;

	/** Where the payload starts in {@link #source()}. */
	int payloadOffset() {
		return HEADER_SIZE;
	}

	/** The payload's length in bytes. */
	int payloadLength() {
		return this.source.length - HEADER_SIZE;
	}

	/**
	 * Frames a value.
	 * @param value the encoded value
	 */
	static byte[] frame(EncodedValue value, long writtenAt, long softExpiresAt, long loadMillis) {
		return frame(value.bytes(), value.format() << 4, writtenAt, softExpiresAt, loadMillis);
	}

	/** Frames a cached {@code null}. */
	static byte[] frameNull(long writtenAt, long softExpiresAt, long loadMillis) {
		return frame(new byte[0], NULL_FLAG, writtenAt, softExpiresAt, loadMillis);
	}

	private static byte[] frame(byte[] payload, int flags, long writtenAt, long softExpiresAt, long loadMillis) {
		return ByteBuffer.allocate(HEADER_SIZE + payload.length)
			.put(VERSION)
			.put((byte) flags)
			.putLong(writtenAt)
			.putLong(softExpiresAt)
			.putInt((int) Math.min(Integer.MAX_VALUE, Math.max(0, loadMillis)))
			.put(payload)
			.array();
	}

	/**
	 * Reads the header of framed bytes.
	 * @throws ValueDecodingException if the bytes are too short or of another format version
	 */
	static Envelope read(byte[] framed) {
		if (framed.length < HEADER_SIZE) {
			throw new ValueDecodingException("Stored entry is " + framed.length
					+ " bytes, shorter than the " + HEADER_SIZE + "-byte envelope header");
		}
		if (framed[0] != VERSION) {
			throw new ValueDecodingException(
					"Stored entry has envelope version " + framed[0] + ", this release reads version " + VERSION);
		}
		ByteBuffer buffer = ByteBuffer.wrap(framed, 1, HEADER_SIZE - 1);
		int flags = buffer.get() & 0xFF;
		boolean nullMarker = (flags & NULL_FLAG) != 0;
		if (nullMarker && framed.length != HEADER_SIZE) {
			throw new ValueDecodingException("Stored null marker carries a payload of "
					+ (framed.length - HEADER_SIZE) + " bytes");
		}
		return new Envelope(nullMarker, flags >>> 4, buffer.getLong(), buffer.getLong(), buffer.getInt(), framed);
	}

}
