package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

/**
 * A value encoded by a {@link ValueCodec}: the payload bytes, the codec's format tag, which the
 * envelope stores so that the same codec can pick the matching decoder, and optionally a type hint,
 * which the envelope stores too so that a reader declaring no type can ask the codec what to decode the
 * payload as ({@link ValueCodec#typeForHint}).
 *
 * @param format a codec-defined tag between {@code 0} and {@link #MAX_FORMAT}
 * @param bytes the payload; not copied, so callers must not change it
 * @param typeHint the type the value was written as, in the codec's own notation, or {@code null};
 * at most {@link #MAX_TYPE_HINT} characters
 */
public record EncodedValue(int format, byte[] bytes, @Nullable String typeHint) {

	/** The largest format tag an envelope can hold. */
	public static final int MAX_FORMAT = 15;

	/** The longest type hint an envelope holds. */
	public static final int MAX_TYPE_HINT = 1024;

	public EncodedValue {
		if (format < 0 || format > MAX_FORMAT) {
			throw new IllegalArgumentException("format must be between 0 and " + MAX_FORMAT + ", but was " + format);
		}
		if (typeHint != null && (typeHint.isEmpty() || typeHint.length() > MAX_TYPE_HINT)) {
			throw new IllegalArgumentException("a type hint must have 1 to " + MAX_TYPE_HINT + " characters, but had "
					+ typeHint.length());
		}
	}

	/** A value without a type hint. */
	public EncodedValue(int format, byte[] bytes) {
		this(format, bytes, null);
	}

}
