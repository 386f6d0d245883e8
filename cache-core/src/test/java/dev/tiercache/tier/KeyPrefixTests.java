package dev.tiercache.tier;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The rule for key prefixes, applied wherever Redis keys are built from one: the cache manager's and
 * the write-behind queues'.
 */
class KeyPrefixTests {

	/**
	 * Issue 16 item 20: ':' separates the parts of a key, so the prefixes 'app' and 'app:lock' would
	 * share keys (the values of one are the leases of the other).
	 */
	@ParameterizedTest
	@ValueSource(strings = { "app:lock", "app:", "{app}", " " })
	void theManagerRefusesAPrefixThatCouldShareKeysNamingThePropertyAndTheBuilderMethod(String prefix) {
		TieredCacheManager.Builder builder = TieredCacheManager.builder(null);
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> builder.keyPrefix(prefix))
			.satisfies((failure) -> assertThat(failure.getSetting()).isEqualTo("key-prefix"))
			.withMessageContaining("free of ':'")
			.withMessageContaining("'tiercache.key-prefix'")
			.withMessageContaining("TieredCacheManager.Builder.keyPrefix");
	}

	/** Issue 16 item 20: the write-behind queues build their keys from the prefix too. */
	@Test
	void theWriteBehindQueuesRefuseAPrefixWithTheKeySeparator() {
		LettuceConnectionFactory unused = new LettuceConnectionFactory();
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new WriteBehindQueues(unused, Duration.ofMillis(250), RedisCircuitBreaker.disabled(),
					"app:wb", new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of())),
					WriteBehindSettings.DEFAULTS, Map.of()))
			.withMessageContaining("free of ':'");
	}

	@Test
	void aPrefixWithoutSeparatorOrHashTagsIsAccepted() {
		TieredCacheManager.Builder builder = TieredCacheManager.builder(null);
		assertThat(builder.keyPrefix("shop-orders.v2")).isSameAs(builder);
	}

}
