package dev.tiercache.tier;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.coherence.EntryTags;

/**
 * The binary frame of every value Tiercache stores in Redis.
 *
 * <pre>
 * offset  size  field
 * 0       1     format version ({@value #VERSION})
 * 1       1     flags: bit 0 = null marker, bit 1 = type hint, bit 2 = compressed payload
 *               ({@link PayloadCompression}), bit 3 = tags, bits 4-7 = payload format of the codec
 * 2       8     written-at, epoch milliseconds
 * 10      8     soft expiry, epoch milliseconds (when the entry counts as expired)
 * 18      4     load duration, milliseconds (how long the loader took)
 * 22      2     with a type hint only: its length h in bytes
 * 24      h     with a type hint only: the codec's type hint, UTF-8 ({@link EncodedValue#typeHint()})
 * then, with tags only:
 *         8     the tag stamp ({@link EntryTags#stamp()})
 *         1     the number of tags t
 *         t×    each tag: its length in bytes (2), then the tag, UTF-8
 * then    n     payload (empty for a null marker)
 * </pre>
 *
 * <p>Entries written before type hints, compression and tags existed have none of their flags, and read as before.
 * Instances are immutable views over the bytes they were read from; the payload is not copied.
 *
 * @param nullMarker whether the entry is a cached {@code null}
 * @param payloadFormat the codec's format tag
 * @param writtenAt when the entry was written, epoch milliseconds
 * @param softExpiresAt when the entry counts as expired, epoch milliseconds
 * @param loadMillis how long the loader took
 * @param source the framed bytes
 * @param payloadOffset where the payload starts in {@code source}
 * @param tags the entry's tags, or {@code null}
 */
record Envelope(boolean nullMarker, int payloadFormat, long writtenAt, long softExpiresAt, int loadMillis,
		byte[] source, int payloadOffset, @Nullable EntryTags tags) {

	/** The version written by this release; other versions are refused as corrupt. */
	static final byte VERSION = 1;

	/** The size of the header before the payload. */
	static final int HEADER_SIZE = 22;

	private static final int NULL_FLAG = 0x01;

	private static final int TYPE_HINT_FLAG = 0x02;

	private static final int COMPRESSED_FLAG = 0x04;

	private static final int TAGS_FLAG = 0x08;

	private static final int HINT_LENGTH_SIZE = 2;

	private static final int TAG_LENGTH_SIZE = 2;

	/** The tag stamp and the number of tags. */
	private static final int TAGS_HEADER_SIZE = 9;

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
		if ((this.source[1] & TYPE_HINT_FLAG) == 0) {
			return null;
		}
		int length = ByteBuffer.wrap(this.source, HEADER_SIZE, HINT_LENGTH_SIZE).getShort() & 0xFFFF;
		return new String(this.source, HEADER_SIZE + HINT_LENGTH_SIZE, length, StandardCharsets.UTF_8);
	}

	/**
	 * The tags framed bytes carry, or {@code null}: reads the envelope only if its tags flag is set.
	 * @throws ValueDecodingException if the envelope is corrupt
	 */
	static @Nullable EntryTags tagsOf(byte[] framed) {
		return (framed.length >= HEADER_SIZE && (framed[1] & TAGS_FLAG) != 0) ? read(framed).tags() : null;
	}

	/**
	 * Frames a value.
	 * @param value the encoded value
	 * @param tags the entry's tags, or {@code null}
	 */
	static byte[] frame(EncodedValue value, long writtenAt, long softExpiresAt, long loadMillis,
			@Nullable EntryTags tags) {
		return frame(value, value.bytes(), 0, writtenAt, softExpiresAt, loadMillis, tags);
	}

	/**
	 * Frames a value whose payload is stored compressed.
	 * @param compressed the value's payload as {@link PayloadCompression#compress} returned it
	 * @param tags the entry's tags, or {@code null}
	 */
	static byte[] frameCompressed(EncodedValue value, byte[] compressed, long writtenAt, long softExpiresAt,
			long loadMillis, @Nullable EntryTags tags) {
		return frame(value, compressed, COMPRESSED_FLAG, writtenAt, softExpiresAt, loadMillis, tags);
	}

	private static byte[] frame(EncodedValue value, byte[] payload, int flags, long writtenAt, long softExpiresAt,
			long loadMillis, @Nullable EntryTags tags) {
		String typeHint = value.typeHint();
		byte[] hint = (typeHint != null) ? typeHint.getBytes(StandardCharsets.UTF_8) : null;
		byte[][] tagNames = utf8(tags);
		int allFlags = flags | (value.format() << 4) | ((hint != null) ? TYPE_HINT_FLAG : 0)
				| ((tagNames != null) ? TAGS_FLAG : 0);
		ByteBuffer buffer = header(allFlags, sizeOf(hint) + sizeOf(tagNames) + payload.length, writtenAt,
				softExpiresAt, loadMillis);
		if (hint != null) {
			buffer.putShort((short) hint.length).put(hint);
		}
		putTags(buffer, tags, tagNames);
		return buffer.put(payload).array();
	}

	/** The bytes a type hint adds to an envelope. */
	private static int sizeOf(byte @Nullable [] hint) {
		return (hint != null) ? HINT_LENGTH_SIZE + hint.length : 0;
	}

	/** The bytes tags add to an envelope. */
	private static int sizeOf(byte @Nullable [][] tagNames) {
		if (tagNames == null) {
			return 0;
		}
		int size = TAGS_HEADER_SIZE;
		for (byte[] name : tagNames) {
			size += TAG_LENGTH_SIZE + name.length;
		}
		return size;
	}

	private static byte @Nullable [][] utf8(@Nullable EntryTags tags) {
		if (tags == null) {
			return null;
		}
		byte[][] names = new byte[tags.names().size()][];
		for (int i = 0; i < names.length; i++) {
			names[i] = tags.names().get(i).getBytes(StandardCharsets.UTF_8);
		}
		return names;
	}

	private static void putTags(ByteBuffer buffer, @Nullable EntryTags tags, byte @Nullable [][] tagNames) {
		if (tags == null || tagNames == null) {
			return;
		}
		buffer.putLong(tags.stamp()).put((byte) tagNames.length);
		for (byte[] name : tagNames) {
			buffer.putShort((short) name.length).put(name);
		}
	}

	/**
	 * Frames a cached {@code null}.
	 * @param tags the entry's tags, or {@code null}
	 */
	static byte[] frameNull(long writtenAt, long softExpiresAt, long loadMillis, @Nullable EntryTags tags) {
		byte[][] tagNames = utf8(tags);
		ByteBuffer buffer = header(NULL_FLAG | ((tagNames != null) ? TAGS_FLAG : 0), sizeOf(tagNames), writtenAt,
				softExpiresAt, loadMillis);
		putTags(buffer, tags, tagNames);
		return buffer.array();
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
		long writtenAt = buffer.getLong();
		long softExpiresAt = buffer.getLong();
		int loadMillis = buffer.getInt();
		int tagsOffset = hintEnd(framed, flags);
		ByteBuffer tagged = ((flags & TAGS_FLAG) != 0) ? ByteBuffer.wrap(framed, tagsOffset, framed.length - tagsOffset)
				: null;
		EntryTags tags = (tagged != null) ? readTags(tagged) : null;
		int payloadOffset = (tagged != null) ? tagged.position() : tagsOffset;
		if (nullMarker && framed.length != payloadOffset) {
			throw new ValueDecodingException("Stored null marker carries a payload of "
					+ (framed.length - payloadOffset) + " bytes");
		}
		return new Envelope(nullMarker, flags >>> 4, writtenAt, softExpiresAt, loadMillis, framed, payloadOffset, tags);
	}

	/** Where the type hint ends, or the header if there is none. */
	private static int hintEnd(byte[] framed, int flags) {
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

	/** Reads the tags section that {@code buffer} is positioned at, leaving it after the section. */
	private static EntryTags readTags(ByteBuffer buffer) {
		try {
			long stamp = buffer.getLong();
			int count = buffer.get() & 0xFF;
			List<String> names = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				int length = buffer.getShort() & 0xFFFF;
				if (length > buffer.remaining()) {
					throw new ValueDecodingException("Stored entry's tag of " + length + " bytes runs past its end");
				}
				names.add(new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8));
				buffer.position(buffer.position() + length);
			}
			return new EntryTags(names, stamp);
		}
		catch (BufferUnderflowException ex) {
			throw new ValueDecodingException("Stored entry announces tags but ends within them");
		}
	}

}
