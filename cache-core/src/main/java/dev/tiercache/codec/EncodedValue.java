package dev.tiercache.codec;

/**
 * A value encoded by a {@link ValueCodec}: the payload bytes and the codec's format tag, which the
 * envelope stores so that the same codec can pick the matching decoder.
 *
 * @param format a codec-defined tag between {@code 0} and {@link #MAX_FORMAT}
 * @param bytes the payload; not copied, so callers must not change it
 */
public record EncodedValue(int format, byte[] bytes) {

	/** The largest format tag an envelope can hold. */
	public static final int MAX_FORMAT = 15;

	public EncodedValue {
		if (format < 0 || format > MAX_FORMAT) {
			throw new IllegalArgumentException("format must be between 0 and " + MAX_FORMAT + ", but was " + format);
		}
	}

}
