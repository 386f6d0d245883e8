package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.coherence.EntryTags;

/**
 * How one cache turns values into the bytes Redis stores and back: the manager's {@link ValueCodec}
 * and size limit ({@code tiercache.max-value-size}), and the {@link Envelope} around each value. A value
 * that cannot be stored is counted as an encode failure of the cache and logged the first time per
 * class (later ones at debug level); the call that wrote it still succeeds. Thread-safe.
 */
final class ValueFraming {

	private static final Log logger = LogFactory.getLog(RemoteCache.class);

	private final CacheContext cache;

	private final ValueCodec codec;

	private final int maxValueBytes;

	private final Set<Class<?>> unencodableClasses = ConcurrentHashMap.newKeySet();

	ValueFraming(CacheContext cache, ValueCodec codec, int maxValueBytes) {
		this.cache = cache;
		this.codec = codec;
		this.maxValueBytes = maxValueBytes;
	}

	/**
	 * Frames a value written now, or returns {@code null} when it cannot be stored (not encodable, or
	 * over the size limit).
	 * @param tags the entry's tags, or {@code null}
	 */
	byte @Nullable [] frame(@Nullable Object value, Type type, long ttlMillis, long loadMillis,
			@Nullable EntryTags tags) {
		if (value == null) {
			// an encrypted cache keeps no null: its marker could not be told from one forged in Redis
			return (this.codec instanceof EncryptingCodec) ? null : envelope(null, ttlMillis, loadMillis, tags);
		}
		EncodedValue encoded = encode(value, type);
		return (encoded != null) ? envelope(encoded, ttlMillis, loadMillis, tags) : null;
	}

	/**
	 * Frames an encoded value, or the null marker for {@code null}, written now: compressed if it is at
	 * least the cache's {@linkplain CacheSettings#compressionThreshold() compression threshold} and that
	 * saves enough, unless the cache is encrypted (ciphertext does not compress, and compressing before
	 * encrypting would let a value's size tell about its content).
	 * @param tags the entry's tags, or {@code null}
	 */
	byte[] envelope(@Nullable EncodedValue encoded, long ttlMillis, long loadMillis, @Nullable EntryTags tags) {
		long now = System.currentTimeMillis();
		if (encoded == null) {
			return Envelope.frameNull(now, now + ttlMillis, loadMillis, tags);
		}
		byte[] compressed = compressible(encoded) ? PayloadCompression.compress(encoded.bytes()) : null;
		return (compressed != null)
				? Envelope.frameCompressed(encoded, compressed, now, now + ttlMillis, loadMillis, tags)
				: Envelope.frame(encoded, now, now + ttlMillis, loadMillis, tags);
	}

	private boolean compressible(EncodedValue encoded) {
		int threshold = this.cache.settings().compressionThreshold();
		return threshold > 0 && encoded.bytes().length >= threshold && !(this.codec instanceof EncryptingCodec);
	}

	/** Encodes a value for storing, or returns {@code null} as {@link #frame} does when it cannot be stored. */
	@Nullable EncodedValue encode(Object value, Type type) {
		try {
			EncodedValue encoded = this.codec.encode(value, type);
			if (encoded.bytes().length + Envelope.HEADER_SIZE > this.maxValueBytes) {
				throw new IllegalArgumentException("its encoded size " + encoded.bytes().length
						+ " bytes is over the limit of " + this.maxValueBytes + " bytes ('tiercache.max-value-size')");
			}
			return encoded;
		}
		catch (RuntimeException ex) {
			this.cache.stats().encodeFailure();
			logUnencodable(value.getClass(), ex);
			return null;
		}
	}

	/**
	 * Decodes framed bytes as {@code type}: {@code null} for the null marker. A reader of {@code Object}
	 * gets the value as the type its writer's type hint names, if the codec admits that type
	 * ({@link ValueCodec#typeForHint}); otherwise, and if the payload does not fit the hint, as
	 * {@code Object}.
	 * @throws dev.tiercache.codec.ValueDecodingException if the envelope or the payload is corrupt
	 * ({@link dev.tiercache.codec.ValueTypeMismatchException} if intact but not of {@code type})
	 */
	@Nullable Object decode(Envelope envelope, byte[] framed, Type type) {
		if (envelope.nullMarker()) {
			if (this.codec instanceof EncryptingCodec) {
				throw new ValueDecodingException("a null marker in an encrypted cache, which stores none");
			}
			return null;
		}
		Type hinted = (type == Object.class) ? hintedType(envelope) : null;
		if (hinted != null) {
			try {
				return decodePayload(envelope, framed, hinted);
			}
			catch (ValueDecodingException ex) {
				// a hint that does not fit its payload (forged, or the class changed): read it untyped
			}
		}
		return decodePayload(envelope, framed, type);
	}

	private Object decodePayload(Envelope envelope, byte[] framed, Type type) {
		if (envelope.compressed()) {
			byte[] payload = PayloadCompression.decompress(framed, envelope.payloadOffset(), envelope.payloadLength(),
					this.maxValueBytes);
			return this.codec.decode(envelope.payloadFormat(), payload, 0, payload.length, type);
		}
		return this.codec.decode(envelope.payloadFormat(), framed, envelope.payloadOffset(), envelope.payloadLength(),
				type);
	}

	/** The type the codec admits for the envelope's type hint, if it has one. */
	private @Nullable Type hintedType(Envelope envelope) {
		String hint = envelope.typeHint();
		return (hint != null) ? this.codec.typeForHint(hint) : null;
	}

	private void logUnencodable(Class<?> type, RuntimeException reason) {
		if (this.unencodableClasses.add(type)) {
			logger.warn("Tiercache " + this.cache + " does not store values of " + type.getName()
					+ " (counted as encode failures; calls still succeed): " + reason.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache " + this.cache + " did not store a " + type.getName(), reason);
		}
	}

}
