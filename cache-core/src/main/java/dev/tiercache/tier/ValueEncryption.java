package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Predicate;

import javax.crypto.SecretKey;

import dev.tiercache.codec.ValueCodec;

/**
 * Which caches encrypt their values in Redis, and with which keys: new values with the current key,
 * reads with any listed key ({@link EncryptingCodec}). Immutable.
 */
final class ValueEncryption {

	/** The longest key id an entry can name, in UTF-8 bytes. */
	static final int MAX_KEY_ID_BYTES = 64;

	private final String currentKeyId;

	private final Map<String, SecretKey> keys;

	private final Predicate<String> encryptedCaches;

	/**
	 * @throws InvalidSettingException naming the setting if the current key is not listed, a key id is
	 * empty or too long, or a key is not an AES key of 128, 192 or 256 bits
	 */
	ValueEncryption(String currentKeyId, Map<String, SecretKey> keys, Predicate<String> encryptedCaches) {
		keys.forEach(ValueEncryption::check);
		if (!keys.containsKey(currentKeyId)) {
			throw new InvalidSettingException("encryption.current-key", currentKeyId,
					"must name one of the keys under 'encryption.keys' " + keys.keySet());
		}
		this.currentKeyId = currentKeyId;
		this.keys = Map.copyOf(keys);
		this.encryptedCaches = encryptedCaches;
	}

	private static void check(String id, SecretKey key) {
		int idBytes = id.getBytes(StandardCharsets.UTF_8).length;
		if (idBytes == 0 || idBytes > MAX_KEY_ID_BYTES) {
			throw new InvalidSettingException("encryption.keys", id,
					"must have ids of 1 to " + MAX_KEY_ID_BYTES + " UTF-8 bytes");
		}
		byte[] encoded = key.getEncoded();
		int bits = (encoded != null) ? encoded.length * 8 : 0;
		if (!"AES".equalsIgnoreCase(key.getAlgorithm()) || (bits != 128 && bits != 192 && bits != 256)) {
			throw new InvalidSettingException("encryption.keys." + id, key.getAlgorithm() + "/" + bits + " bits",
					"must be an AES key of 128, 192 or 256 bits (16, 24 or 32 bytes)");
		}
	}

	/** The codec of a cache's values in Redis: the manager's, encrypting if the cache is encrypted. */
	ValueCodec codecOf(String cache, ValueCodec codec) {
		return this.encryptedCaches.test(cache) ? new EncryptingCodec(codec, cache, this.currentKeyId, this.keys)
				: codec;
	}

}
