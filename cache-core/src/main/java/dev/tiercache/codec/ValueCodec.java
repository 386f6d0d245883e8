package dev.tiercache.codec;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * Turns cached values into payload bytes and back. Declare a bean of this type to replace the
 * default {@link JsonOrSerializedValueCodec}; Tiercache frames the payload in its {@link Envelope}
 * either way.
 *
 * <p>Implementations must be thread-safe. They never see {@code null}: a cached {@code null} is a
 * flag in the envelope.
 */
public interface ValueCodec {

	/**
	 * Encodes a value.
	 * @param value the value to store
	 * @param declaredType the type the value will be read back as (a method's generic return type, or
	 * the value's class when nothing more is known)
	 * @return the payload and its format tag
	 * @throws ValueEncodingException if this codec cannot store the value so that it reads back equal
	 */
	EncodedValue encode(Object value, Type declaredType);

	/**
	 * Decodes a payload written by {@link #encode}.
	 * @param format the format tag returned by {@code encode}
	 * @param source the buffer holding the payload
	 * @param offset where the payload starts in {@code source}
	 * @param length the payload's length
	 * @param type the type the caller expects
	 * @return the decoded value, never {@code null}
	 * @throws ValueDecodingException if the payload is corrupt, of an unknown format, not of the
	 * expected type, or refused by the codec's rules
	 */
	Object decode(int format, byte[] source, int offset, int length, Type type);

	/**
	 * The type to decode a payload as for a reader that declares none ({@code Object}: Spring's
	 * {@code Cache.get(key)}, a method declared to return {@code Object}), from the type hint its writer's
	 * {@link EncodedValue#typeHint()} recorded; {@code null} to decode it as {@code Object}. The hint
	 * comes from Redis, which others can write: an implementation must admit only types it would decode
	 * for a reader that declared them, never load or instantiate anything else. The default admits none.
	 * @param typeHint a hint read from a stored entry
	 */
	default @Nullable Type typeForHint(String typeHint) {
		return null;
	}

}
