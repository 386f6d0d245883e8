package dev.tiercache.tier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;

/**
 * The binary frame of every value Tiercache stores in Redis.
 *
 * <pre>
 * offset  size  field
 * 0       1     format version ({@value #VERSION})
 * 1       1     flags: bit 0 = null marker, bit 1 = type hint, bit 2 = compressed payload
 *               ({@link PayloadCompression}), bits 4-7 = payload format of the codec
 * 2       8     written-at, epoch milliseconds
 * 10      8     soft expiry, epoch milliseconds (when the entry counts as expired)
 * 18      4     load duration, milliseconds (how long the loader took)
 * 22      2     with a type hint only: its length h in bytes
 * 24      h     with a type hint only: the codec's type hint, UTF-8 ({@link EncodedValue#typeHint()})
 * 22 (24+h) n   payload (empty for a null marker)
 * </pre>
 *
 * <p>Entries written before type hints and compression existed have neither flag, and read as before. Instances are
 * immutable views over the bytes they were read from; the payload is not copied.
 *
 * @param nullMarker whether the entry is a cached {@code null}
 * @param payloadFormat the codec's format tag
 * @param writtenAt when the entry was written, epoch milliseconds
 * @param softExpiresAt when the entry counts as expired, epoch milliseconds
 * @param loadMillis how long the loader took
 * @param source the framed bytes
 * @param payloadOffset where the payload starts in {@code source}
 */
record Envelope(boolean nullMarker, int payloadFormat, long writtenAt, long softExpiresAt, int loadMillis,
		byte[] source, int payloadOffset) {

	/** The version written by this release; other versions are refused as corrupt. */
	static final byte VERSION = 1;

	/** The size of the header before the payload. */
	static final int HEADER_SIZE = 22;

	private static final int NULL_FLAG = 0x01;

	private static final int TYPE_HINT_FLAG = 0x02;

	private static final int COMPRESSED_FLAG = 0x04;

	private static final int HINT_LENGTH_SIZE = 2;

	/** Whether the payload is compressed ({@link PayloadCompression}). */
	boolean compressed() {
		return (this.source[1] & COMPRESSED_FLAG) != 0;
	}

	/** The payload's length in bytes. */
	int payloadLength() {
		return this.source.length - this.payloadOffset;
	}

	/** The type hint its writer recorded, or {@code null}. */
	@Nullable String typeHint() {
		int start = HEADER_SIZE + HINT_LENGTH_SIZE;
		return (this.payloadOffset > HEADER_SIZE)
				? new String(this.source, start, this.payloadOffset - start, StandardCharsets.UTF_8) : null;
	}

	/**
	 * Frames a value.
	 * @param value the encoded value
	 */
	static byte[] frame(EncodedValue value, long writtenAt, long softExpiresAt, long loadMillis) {
		return frame(value, value.bytes(), 0, writtenAt, softExpiresAt, loadMillis);
	}

	/**
	 * Frames a value whose payload is stored compressed.
	 * @param compressed the value's payload as {@link PayloadCompression#compress} returned it
	 */
	static byte[] frameCompressed(EncodedValue value, byte[] compressed, long writtenAt, long softExpiresAt,
			long loadMillis) {
		return frame(value, compressed, COMPRESSED_FLAG, writtenAt, softExpiresAt, loadMillis);
	}

	private static byte[] frame(EncodedValue value, byte[] payload, int flags, long writtenAt, long softExpiresAt,
			long loadMillis) {
		String typeHint = value.typeHint();
		byte[] hint = (typeHint != null) ? typeHint.getBytes(StandardCharsets.UTF_8) : null;
		int allFlags = flags | (value.format() << 4) | ((hint != null) ? TYPE_HINT_FLAG : 0);
		ByteBuffer buffer = header(allFlags, sizeOf(hint) + payload.length, writtenAt, softExpiresAt, loadMillis);
		if (hint != null) {
			buffer.putShort((short) hint.length).put(hint);
		}
		return buffer.put(payload).array();
	}

	/** The bytes a type hint adds to an envelope. */
	private static int sizeOf(byte @Nullable [] hint) {
		return (hint != null) ? HINT_LENGTH_SIZE + hint.length : 0;
	}

	/** Frames a cached {@code null}. */
	static byte[] frameNull(long writtenAt, long softExpiresAt, long loadMillis) {
		return header(NULL_FLAG, 0, writtenAt, softExpiresAt, loadMillis).array();
	}

	private static ByteBuffer header(int flags, int bodySize, long writtenAt, long softExpiresAt, long loadMillis) {
		return ByteBuffer.allocate(HEADER_SIZE + bodySize)
			.put(VERSION)
			.put((byte) flags)
			.putLong(writtenAt)
			.putLong(softExpiresAt)
			.putInt((int) Math.min(Integer.MAX_VALUE, Math.max(0, loadMillis)));
	}

	/**
	 * Reads the header of framed bytes.
	 * @throws ValueDecodingException if the bytes are too short (for the header, or the type hint it
	 * announces) or of another format version
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
		return new Envelope(nullMarker, flags >>> 4, buffer.getLong(), buffer.getLong(), buffer.getInt(), framed,
				payloadOffset(framed, flags));
	}

	private static int payloadOffset(byte[] framed, int flags) {
		if ((flags & TYPE_HINT_FLAG) == 0) {
			return HEADER_SIZE;
		}
		if (framed.length < HEADER_SIZE + HINT_LENGTH_SIZE) {
			throw new ValueDecodingException("Stored entry announces a type hint but ends after its header");
		}
		int hintLength = ByteBuffer.wrap(framed, HEADER_SIZE, HINT_LENGTH_SIZE).getShort() & 0xFFFF;
		int offset = HEADER_SIZE + HINT_LENGTH_SIZE + hintLength;
		if (offset > framed.length) {
			throw new ValueDecodingException("Stored entry's type hint of " + hintLength + " bytes runs past its "
					+ framed.length + " bytes");
		}
		return offset;
	}

}
