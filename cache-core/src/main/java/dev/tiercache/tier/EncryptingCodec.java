package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.codec.ValueEncodingException;

/**
 * Encrypts one cache's payloads with AES-GCM (the JDK's) around the manager's codec. A payload is the
 * codec's format (1 byte), the key id's length (1 byte) and UTF-8 bytes, a random 96-bit nonce, then the
 * ciphertext with its 128-bit tag, authenticated together with the cache's name, so that an entry
 * cannot be read as another cache's. New values use the current key; a value written with any listed
 * key is read. A payload that is not encrypted, names a key that is not listed, or fails
 * authentication (altered, or written under another key with the same id) is a
 * {@link ValueDecodingException}: the entry is then a miss, deleted and counted as a decode failure,
 * never an error to the caller. Thread-safe.
 */
final class EncryptingCodec implements ValueCodec {

	/** The envelope format of encrypted payloads; the codec's own format is inside. */
	static final int ENCRYPTED = EncodedValue.MAX_FORMAT;

	private static final String TRANSFORMATION = "AES/GCM/NoPadding";

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final SecureRandom random = new SecureRandom();

	private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

	private final ValueCodec codec;

	private final byte[] cache;

	private final String currentKeyId;

	private final byte[] currentKeyIdBytes;

	private final Map<String, SecretKey> keys;

	EncryptingCodec(ValueCodec codec, String cache, String currentKeyId, Map<String, SecretKey> keys) {
		this.codec = codec;
		this.cache = cache.getBytes(StandardCharsets.UTF_8);
		this.currentKeyId = currentKeyId;
		this.currentKeyIdBytes = currentKeyId.getBytes(StandardCharsets.UTF_8);
		this.keys = keys;
	}

	@Override
	public EncodedValue encode(Object value, Type declaredType) {
		EncodedValue plain = this.codec.encode(value, declaredType);
		byte[] nonce = new byte[NONCE_BYTES];
		random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance(TRANSFORMATION);
			cipher.init(Cipher.ENCRYPT_MODE, this.keys.get(this.currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associatedData(plain.format()));
			byte[] header = header(plain.format(), nonce);
			byte[] payload = new byte[header.length + cipher.getOutputSize(plain.bytes().length)];
			System.arraycopy(header, 0, payload, 0, header.length);
			cipher.doFinal(plain.bytes(), 0, plain.bytes().length, payload, header.length);
			return new EncodedValue(ENCRYPTED, payload);
		}
		catch (GeneralSecurityException ex) {
			throw new ValueEncodingException("cannot encrypt a " + value.getClass().getName() + ": " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public Object decode(int format, byte[] source, int offset, int length, Type type) {
		if (format != ENCRYPTED) {
			throw new ValueDecodingException("the entry is not encrypted, and this cache reads only encrypted ones");
		}
		ByteBuffer payload = ByteBuffer.wrap(source, offset, length);
		if (payload.remaining() < 2) {
			throw new ValueDecodingException("the encrypted entry is truncated");
		}
		int plainFormat = payload.get() & 0xFF;
		int idLength = payload.get() & 0xFF;
		if (payload.remaining() < idLength + NONCE_BYTES + TAG_BITS / 8) {
			throw new ValueDecodingException("the encrypted entry is truncated");
		}
		// read from Redis, so fit for a log line: control characters (line breaks) replaced by '?'
		String keyId = CONTROL.matcher(new String(source, payload.position(), idLength, StandardCharsets.UTF_8))
			.replaceAll("?");
		payload.position(payload.position() + idLength);
		SecretKey key = this.keys.get(keyId);
		if (key == null) {
			throw new ValueDecodingException("the entry was encrypted with key '" + keyId
					+ "', which is not among the keys given ('tiercache.encryption.keys')");
		}
		try {
			Cipher cipher = Cipher.getInstance(TRANSFORMATION);
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, source, payload.position(),
					NONCE_BYTES));
			cipher.updateAAD(associatedData(plainFormat));
			int start = payload.position() + NONCE_BYTES;
			byte[] plain = cipher.doFinal(source, start, offset + length - start);
			return this.codec.decode(plainFormat, plain, 0, plain.length, type);
		}
		catch (AEADBadTagException ex) {
			throw new ValueDecodingException("the encrypted entry failed authentication (altered, or encrypted for "
					+ "another cache or with another key of id '" + keyId + "')", ex);
		}
		catch (GeneralSecurityException ex) {
			throw new ValueDecodingException("cannot decrypt the entry: " + ex.getMessage(), ex);
		}
	}


	private byte[] header(int plainFormat, byte[] nonce) {
		byte[] header = new byte[2 + this.currentKeyIdBytes.length + NONCE_BYTES];
		header[0] = (byte) plainFormat;
		header[1] = (byte) this.currentKeyIdBytes.length;
		System.arraycopy(this.currentKeyIdBytes, 0, header, 2, this.currentKeyIdBytes.length);
		System.arraycopy(nonce, 0, header, 2 + this.currentKeyIdBytes.length, NONCE_BYTES);
		return header;
	}

	/** What the tag also covers: the cache's name and the codec's format. */
	private byte[] associatedData(int plainFormat) {
		byte[] data = new byte[this.cache.length + 1];
		System.arraycopy(this.cache, 0, data, 0, this.cache.length);
		data[this.cache.length] = (byte) plainFormat;
		return data;
	}

}
