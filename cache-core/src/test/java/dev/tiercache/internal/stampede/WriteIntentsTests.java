package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.stampede.WriteIntents.Intent;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link WriteIntents} on a real Redis: who stores, who deletes, and how long a lost registration lasts. */
class WriteIntentsTests {

	private final String prefix = TestRedis.uniquePrefix();

	private final RedisKeys layout = new RedisKeys(this.prefix);

	private final EntryKeys keys = this.layout.entry(this.layout.value("c", 0, "k"), null);

	private final LettuceConnectionFactory factory = TestRedis.connectionFactory();

	private final RemoteCommands redis = RemoteCommands.dedicated(this.factory, Duration.ofSeconds(2),
			RedisCircuitBreaker.disabled());

	@AfterEach
	void stop() {
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.keyCommands().del(this.keys.value(), this.keys.lock(), this.keys.waiters(), this.keys.intents());
		}
		this.redis.close();
		this.factory.destroy();
	}

	@Test
	void aWriterAloneStoresAndLeavesNoRegistration() {
		WriteIntents intents = new WriteIntents(this.redis, this.layout.loadsChannel(), Duration.ofSeconds(30));
		Intent intent = intents.begin(this.keys);
		assertThat(intents.complete(this.keys, intent, bytes("value"), 60_000)).isTrue();
		assertThat(exists(this.keys.intents())).isFalse();
	}

	@Test
	void overlappingWritersBothDelete() {
		WriteIntents intents = new WriteIntents(this.redis, this.layout.loadsChannel(), Duration.ofSeconds(30));
		Intent first = intents.begin(this.keys);
		Intent second = intents.begin(this.keys);
		assertThat(intents.complete(this.keys, second, bytes("second"), 60_000)).isFalse();
		assertThat(intents.complete(this.keys, first, bytes("first"), 60_000)).isFalse();
		assertThat(exists(this.keys.value())).isFalse();
		assertThat(exists(this.keys.intents())).isFalse();
	}

	@Test
	void anUnregisteredWriterNeverStoresSinceItsOrderIsUnknown() {
		WriteIntents intents = new WriteIntents(this.redis, this.layout.loadsChannel(), Duration.ofSeconds(30));
		Intent announced = intents.begin(this.keys);
		assertThat(intents.complete(this.keys, announced, bytes("newer"), 60_000)).isTrue();
		assertThat(intents.complete(this.keys, Intent.UNREGISTERED, bytes("older"), 60_000)).isFalse();
		assertThat(exists(this.keys.value())).as("the announced value is deleted, not replaced").isFalse();
	}

	@Test
	void aLostRegistrationBlocksStoringForTheLongestWriteAtMostWhileTheKeyKeepsBeingWritten() {
		WriteIntents intents = new WriteIntents(this.redis, this.layout.loadsChannel(), Duration.ofSeconds(1));
		intents.begin(this.keys);
		long lost = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
			Intent intent = intents.begin(this.keys);
			return intents.complete(this.keys, intent, bytes("value"), 60_000);
		});
		assertThat(Duration.ofNanos(System.nanoTime() - lost)).isLessThan(Duration.ofSeconds(5));
	}

	private boolean exists(byte[] key) {
		try (RedisConnection connection = this.factory.getConnection()) {
			return Boolean.TRUE.equals(connection.keyCommands().exists(key));
		}
	}

	private byte[] bytes(String suffix) {
		return (this.prefix + suffix).getBytes(StandardCharsets.UTF_8);
	}

}
