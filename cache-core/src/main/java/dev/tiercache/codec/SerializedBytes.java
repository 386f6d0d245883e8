package dev.tiercache.codec;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a slice of a Java serialization stream that reads its primitive encodings (bytes,
 * big-endian shorts, ints and longs, length-prefixed UTF strings) and never reads or skips past the
 * slice's end: one that would is {@linkplain HashingRefused#cannotFollow refused}, before anything is
 * read. Not thread-safe; each reading uses its own. {@code SerializedBytesTests} checks it.
 */
final class SerializedBytes {

	private final byte[] bytes;

	private final int end;

	private int position;

	SerializedBytes(byte[] bytes, int offset, int length) {
		this.bytes = bytes;
		this.position = offset;
		this.end = offset + length;
	}

	/** How many bytes are left. */
	int remaining() {
		return this.end - this.position;
	}

	/**
	 * The next byte, not consumed.
	 * @throws HashingRefused at the end
	 */
	byte peek() {
		if (this.position >= this.end) {
			throw HashingRefused.cannotFollow("its end before the object is complete");
		}
		return this.bytes[this.position];
	}

	/** @throws HashingRefused at the end */
	byte readByte() {
		byte value = peek();
		this.position++;
		return value;
	}

	/** @throws HashingRefused if fewer than 2 bytes are left */
	int readUnsignedShort() {
		return ((readByte() & 0xff) << 8) | (readByte() & 0xff);
	}

	/** @throws HashingRefused if fewer than 4 bytes are left */
	int readInt() {
		return (readUnsignedShort() << 16) | readUnsignedShort();
	}

	/** @throws HashingRefused if fewer than 8 bytes are left */
	long readLong() {
		return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
	}

	/**
	 * A string written with {@code writeUTF}: its length in two bytes, then its bytes.
	 * @throws HashingRefused if it runs past the end
	 */
	String readUtf() {
		int length = readUnsignedShort();
		int start = this.position;
		skip(length);
		return new String(this.bytes, start, length, StandardCharsets.UTF_8);
	}

	/** Skips a string written with {@code writeUTF}. @throws HashingRefused if it runs past the end */
	void skipUtf() {
		skip(readUnsignedShort());
	}

	/** @throws HashingRefused if {@code count} is negative or more than {@linkplain #remaining() is left} */
	void skip(long count) {
		if (count < 0 || count > remaining()) {
			throw HashingRefused.cannotFollow("its end within a value");
		}
		this.position += (int) count;
	}

}
