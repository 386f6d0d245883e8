package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Issue 18, encryption of L2 values per cache: an encrypted cache keeps no value in the clear in
 * Redis, and its other instances read it; keys rotate (new values with the current key, old ones read
 * while their key is listed); an entry that fails authentication (altered, moved from another cache,
 * or under a key no longer listed) or is not encrypted is a miss, deleted and counted, never an error
 * to the caller. Caches not named stay unencrypted. Bad key settings fail naming the setting.
 */
class EncryptionTests {

	private static final SecretKey FIRST = newKey();

	private static final SecretKey SECOND = newKey();

	private final TestManagers managers = new TestManagers();

	private final LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
		this.connectionFactory.destroy();
	}

	@Test
	void anEncryptedCacheKeepsNoValueInTheClearAndAnotherInstanceReadsIt() {
		TieredCache writer = books(instance("k1", Map.of("k1", FIRST)));
		TieredCache reader = books(instance("k1", Map.of("k1", FIRST)));
		writer.put(1, "the secret title");
		assertThat(storedValues("books")).hasSize(1)
			.allSatisfy((stored) -> assertThat(new String(stored, StandardCharsets.ISO_8859_1))
				.doesNotContain("secret").contains("k1"));
		assertThat(reader.get(1, String.class)).isEqualTo("the secret title");

		TieredCache plain = instance("k1", Map.of("k1", FIRST)).getTieredCache("pages");
		plain.put(1, "a plain page");
		assertThat(storedValues("pages")).singleElement()
			.satisfies((stored) -> assertThat(new String(stored, StandardCharsets.UTF_8)).contains("a plain page"));
	}

	@Test
	void keysRotateAndAnEntryUnderAKeyNoLongerListedIsAMissDeletedAndCounted() {
		TieredCache before = books(instance("k1", Map.of("k1", FIRST)));
		before.put(1, "written with k1");
		TieredCache during = books(instance("k2", Map.of("k1", FIRST, "k2", SECOND)));
		assertThat(during.get(1, String.class)).as("an old entry, read with a listed key").isEqualTo("written with k1");
		during.put(2, "written with k2");
		assertThat(storedValues("books")).anySatisfy((stored) -> assertThat(new String(stored,
				StandardCharsets.ISO_8859_1)).contains("k2"));

		TieredCache after = books(instance("k2", Map.of("k2", SECOND)));
		AtomicInteger loads = new AtomicInteger();
		assertThat(after.get(2, String.class)).isEqualTo("written with k2");
		assertThat(after.get(1, () -> "loaded " + loads.incrementAndGet())).as("k1 is no longer listed")
			.isEqualTo("loaded 1");
		assertThat(after.stats().decodeFailures()).isEqualTo(1);
		assertThat(after.stats().remoteErrors()).isZero();
	}

	@Test
	void anAlteredEntryAndAnEntryMovedFromAnotherCacheFailAuthenticationAndAreMisses() {
		TieredCacheManager manager = instance("k1", Map.of("k1", FIRST));
		TieredCache books = manager.getTieredCache("books");
		books.put(1, "original");
		byte[] key = storedKeys("books").iterator().next();
		try (RedisConnection redis = this.connectionFactory.getConnection()) {
			byte[] altered = redis.stringCommands().get(key);
			altered[altered.length - 1] ^= 1;
			redis.stringCommands().set(key, altered);
		}
		TieredCache reader = books(instance("k1", Map.of("k1", FIRST)));
		assertThat(reader.get(1, () -> "reloaded")).isEqualTo("reloaded");
		assertThat(reader.stats().decodeFailures()).isEqualTo(1);

		TieredCache secrets = manager.getTieredCache("secrets");
		secrets.put(9, "a secret of another cache");
		try (RedisConnection redis = this.connectionFactory.getConnection()) {
			byte[] moved = redis.stringCommands().get(storedKeys("secrets").iterator().next());
			redis.stringCommands().set(key, moved);
		}
		TieredCache another = books(instance("k1", Map.of("k1", FIRST)));
		assertThat(another.get(1, () -> "reloaded again")).as("an entry encrypted for cache 'secrets'")
			.isEqualTo("reloaded again");
		assertThat(another.stats().decodeFailures()).isEqualTo(1);
	}

	@Test
	void anEntryWrittenWithoutEncryptionIsAMissOfAnEncryptedCache() {
		this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books").put(1, "in the clear");
		TieredCache encrypted = books(instance("k1", Map.of("k1", FIRST)));
		assertThat(encrypted.get(1, () -> "loaded")).isEqualTo("loaded");
		assertThat(encrypted.stats().decodeFailures()).isEqualTo(1);
	}

	@Test
	void anEncryptedCacheCachesNoNullAndANullMarkerFoundInRedisIsAMiss() {
		TieredCache encrypted = books(instance("k1", Map.of("k1", FIRST)));
		AtomicInteger loads = new AtomicInteger();
		String loaded = encrypted.get(5, () -> {
			loads.incrementAndGet();
			return null;
		});
		assertThat(loaded).isNull();
		assertThat(storedValues("books")).as("no null marker stored").isEmpty();

		this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books").put(6, null);
		assertThat(storedValues("books")).as("a null marker, as someone with write access could put").hasSize(1);
		TieredCache reader = books(instance("k1", Map.of("k1", FIRST)));
		assertThat(reader.get(6, () -> "loaded")).isEqualTo("loaded");
		assertThat(reader.stats().decodeFailures()).isEqualTo(1);
	}

	@Test
	void badKeySettingsFailNamingTheSetting() {
		TieredCacheManager.Builder builder = TieredCacheManager.builder(null);
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> builder.encryption("k2", Map.of("k1", FIRST), (cache) -> true))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("encryption.current-key"));
		SecretKey tooShort = new SecretKeySpec(new byte[10], "AES");
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> builder.encryption("k1", Map.of("k1", tooShort), (cache) -> true))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("encryption.keys.k1"));
	}

	private TieredCacheManager instance(String currentKey, Map<String, SecretKey> keys) {
		return this.managers.redis((builder) -> builder.encryption(currentKey, keys,
				Set.of("books", "secrets")::contains), CacheSettings.DEFAULTS, "books", "pages", "secrets");
	}

	private static TieredCache books(TieredCacheManager manager) {
		return manager.getTieredCache("books");
	}

	private Set<byte[]> storedKeys(String cache) {
		try (RedisConnection redis = this.connectionFactory.getConnection()) {
			byte[] pattern = (this.managers.prefix() + ":{" + cache + ":*").getBytes(StandardCharsets.UTF_8);
			return redis.keyCommands().keys(pattern);
		}
	}

	private List<byte[]> storedValues(String cache) {
		try (RedisConnection redis = this.connectionFactory.getConnection()) {
			return storedKeys(cache).stream().map((key) -> redis.stringCommands().get(key)).toList();
		}
	}

	private static SecretKey newKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return new SecretKeySpec(key, "AES");
	}

}
