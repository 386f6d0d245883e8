package dev.tiercache.autoconfigure;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import dev.tiercache.tier.TieredCacheManager;

/**
 * Turns {@code tiercache.encryption.*} and the caches' {@code encryption} flags into the manager's
 * encryption settings: the caches that are encrypted (a cache's own flag, else the defaults'), and the
 * keys. A flag without keys, keys that are not Base64, or a current key not among them fail start-up
 * naming the property.
 */
final class EncryptionBinder {

	private EncryptionBinder() {
	}

	static void apply(TiercacheProperties properties, TieredCacheManager.Builder builder) {
		Predicate<String> encrypted = (cache) -> {
			CacheSpec spec = properties.getCaches().get(cache);
			Boolean own = (spec != null) ? spec.getEncryption() : null;
			return Boolean.TRUE.equals((own != null) ? own : properties.getDefaults().getEncryption());
		};
		boolean anyEncrypted = Boolean.TRUE.equals(properties.getDefaults().getEncryption())
				|| properties.getCaches().values().stream()
					.anyMatch((spec) -> Boolean.TRUE.equals(spec.getEncryption()));
		TiercacheProperties.Encryption encryption = properties.getEncryption();
		if (!anyEncrypted) {
			return;
		}
		String current = encryption.getCurrentKey();
		if (current == null || encryption.getKeys().isEmpty()) {
			throw new InvalidTiercachePropertyException("tiercache.encryption.current-key", current,
					"must name one of the keys under 'tiercache.encryption.keys' when a cache is encrypted");
		}
		Map<String, SecretKey> keys = new LinkedHashMap<>();
		encryption.getKeys().forEach((id, encoded) -> keys.put(id, key(id, encoded)));
		CacheSettingsBinder.mapped("tiercache", () -> builder.encryption(current, keys, encrypted));
	}

	private static SecretKey key(String id, String encoded) {
		try {
			return new SecretKeySpec(Base64.getDecoder().decode(encoded.strip()), "AES");
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidTiercachePropertyException("tiercache.encryption.keys." + id, "(hidden)",
					"must be Base64 (such as the output of 'openssl rand -base64 32')");
		}
	}

}
