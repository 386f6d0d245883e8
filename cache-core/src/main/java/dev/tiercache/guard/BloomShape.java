package dev.tiercache.guard;

import java.nio.charset.StandardCharsets;

/**
 * The shape of a Bloom filter, {@code bits} and {@code hashes}, and where a key's bits are: the
 * {@code hashes} positions {@code h1 + i * h2 (mod bits)} of two independent 64-bit hashes of the key's
 * UTF-8 bytes (Kirsch and Mitzenmacher), so that every instance, whatever its JVM, sets and reads the
 * same bits. Immutable.
 *
 * @param bits the filter's size in bits
 * @param hashes the bits per key
 */
record BloomShape(long bits, int hashes) {

	private static final double LN2 = Math.log(2);

	/** The optimal shape for {@code expectedKeys} keys at {@code falsePositiveRate}. */
	static BloomShape of(long expectedKeys, double falsePositiveRate) {
		long bits = (long) Math.ceil(-expectedKeys * Math.log(falsePositiveRate) / (LN2 * LN2));
		bits = Math.max(64, (bits + 63) / 64 * 64);
		int hashes = (int) Math.max(1, Math.min(30, Math.round((double) bits / expectedKeys * LN2)));
		return new BloomShape(bits, hashes);
	}

	/** The positions of the key's bits. */
	long[] positions(String key) {
		byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
		long h1 = hash(bytes, 0x9E3779B97F4A7C15L);
		long h2 = hash(bytes, 0xC2B2AE3D27D4EB4FL) | 1;
		long[] positions = new long[this.hashes];
		for (int i = 0; i < this.hashes; i++) {
			positions[i] = Long.remainderUnsigned(h1 + i * h2, this.bits);
		}
		return positions;
	}

	/** The share of absent keys that would pass a filter of this shape with {@code bitsSet} bits set. */
	double falsePositiveRate(long bitsSet) {
		return Math.pow((double) bitsSet / this.bits, this.hashes);
	}

	/** FNV-1a over the bytes from {@code seed}, finished with MurmurHash3's 64-bit mix. */
	private static long hash(byte[] bytes, long seed) {
		long hash = seed ^ 0xCBF29CE484222325L;
		for (byte b : bytes) {
			hash ^= (b & 0xFF);
			hash *= 0x100000001B3L;
		}
		hash ^= hash >>> 33;
		hash *= 0xFF51AFD7ED558CCDL;
		hash ^= hash >>> 33;
		hash *= 0xC4CEB9FE1A85EC53L;
		hash ^= hash >>> 33;
		return hash;
	}

}
