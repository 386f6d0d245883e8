package dev.tiercache.tier;

import java.nio.ByteBuffer;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.ValueDecodingException;

/**
 * LZ4 compression of large payloads (lz4-java's fastest compressor, and its safe decompressor, which
 * never reads or writes outside the buffers it is given, whatever the bytes). A compressed payload is
 * the original length (4 bytes) followed by one LZ4 block. LZ4 was chosen over zstd by
 * {@code CompressionBenchmark}: see the README. Thread-safe.
 */
final class PayloadCompression {

	/** A payload is kept compressed only if that saves at least an eighth of it. */
	private static final int MIN_SAVING_SHIFT = 3;

	private static final int LENGTH_SIZE = 4;

	private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

	private static final LZ4Compressor compressor = LZ4.fastCompressor();

	private static final LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();

	private PayloadCompression() {
	}

	/** The payload compressed, or {@code null} if compression would save less than an eighth of it. */
	static byte @Nullable [] compress(byte[] payload) {
		int bound = compressor.maxCompressedLength(payload.length);
		byte[] compressed = new byte[LENGTH_SIZE + bound];
		ByteBuffer.wrap(compressed).putInt(payload.length);
		int length = compressor.compress(payload, 0, payload.length, compressed, LENGTH_SIZE, bound);
		int total = LENGTH_SIZE + length;
		if (total > payload.length - (payload.length >>> MIN_SAVING_SHIFT)) {
			return null;
		}
		byte[] exact = new byte[total];
		System.arraycopy(compressed, 0, exact, 0, total);
		return exact;
	}

	/**
	 * Decompresses a payload {@link #compress} wrote.
	 * @param maxLength the longest original payload accepted, so that a forged length allocates nothing large
	 * @throws ValueDecodingException if the bytes are not such a payload, or it announces more than
	 * {@code maxLength} bytes
	 */
	static byte[] decompress(byte[] source, int offset, int length, int maxLength) {
		if (length < LENGTH_SIZE) {
			throw new ValueDecodingException("Compressed payload of " + length + " bytes has no length");
		}
		int original = ByteBuffer.wrap(source, offset, LENGTH_SIZE).getInt();
		if (original < 0 || original > maxLength) {
			throw new ValueDecodingException("Compressed payload announces " + original
					+ " bytes, over the limit of " + maxLength + " ('tiercache.max-value-size')");
		}
		byte[] payload = new byte[original];
		try {
			int written = decompressor.decompress(source, offset + LENGTH_SIZE, length - LENGTH_SIZE, payload, 0);
			if (written != original) {
				throw new ValueDecodingException("Compressed payload holds " + written + " bytes, not the "
						+ original + " it announces");
			}
		}
		catch (LZ4Exception ex) {
			throw new ValueDecodingException("Corrupt compressed payload: " + ex.getMessage(), ex);
		}
		return payload;
	}

}
