package dev.tiercache.guard;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An instance's copy of a filter's bitmap, numbered as Redis numbers a string's bits ({@code SETBIT}):
 * bit {@code n} is in byte {@code n / 8}, counted from its most significant bit. Bits are only ever
 * set; a copy is replaced whole when it is read from Redis again. Thread-safe.
 */
final class LocalBits {

	private final AtomicLongArray words;

	private final long bits;

	private LocalBits(long bits) {
		this.bits = bits;
		this.words = new AtomicLongArray(Math.toIntExact((bits + 63) / 64));
	}

	/** A copy of a bitmap Redis holds as {@code bytes} (shorter when its last bits were never set). */
	static LocalBits fromRedis(byte[] bytes, long bits) {
		LocalBits copy = new LocalBits(bits);
		long length = Math.min(bytes.length, (bits + 7) / 8);
		for (int i = 0; i < length; i++) {
			int octet = bytes[i] & 0xFF;
			for (int bit = 0; octet != 0 && bit < 8; bit++) {
				if ((octet & (0x80 >>> bit)) != 0) {
					copy.set(i * 8L + bit);
				}
			}
		}
		return copy;
	}

	boolean allSet(long[] positions) {
		for (long position : positions) {
			if ((this.words.get((int) (position >>> 6)) & (1L << position)) == 0) {
				return false;
			}
		}
		return true;
	}

	void setAll(long[] positions) {
		for (long position : positions) {
			set(position);
		}
	}

	private void set(long position) {
		int word = (int) (position >>> 6);
		long mask = 1L << position;
		long current = this.words.get(word);
		while ((current & mask) == 0) {
			long witness = this.words.compareAndExchange(word, current, current | mask);
			if (witness == current) {
				return;
			}
			current = witness;
		}
	}

	/** How many bits are set. */
	long cardinality() {
		long set = 0;
		for (int i = 0; i < this.words.length(); i++) {
			set += Long.bitCount(this.words.get(i));
		}
		return set;
	}

	long bits() {
		return this.bits;
	}

}
