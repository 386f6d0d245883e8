package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The write-behind queues made from a cache manager share its Redis connection (one connection, one
 * circuit breaker, one key prefix for both), and closing them leaves that connection to the manager.
 * Redis does not report a write back to the connection that made it ({@code NOLOOP}; scripts too from
 * Redis 7.2), so a queued write Redis may or may not have taken drops the key from this instance's L1.
 * Connections are counted where they are opened: at a proxy in front of Redis, with a factory that
 * gives a new connection each time (one that shares its native connection hides the difference).
 */
class WriteBehindConnectionTests {

	private static final String CACHE = "prices";

	private static final int CALLS = 20;

	private static final Object ABSENT = new Object();

	private final ValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache")));

	@Test
	void queuesMadeFromTheManagerOpenNoConnectionOfTheirOwn() throws Exception {
		int shared = connectionsOpened((manager, factory) -> new WriteBehindQueues(manager, this.codec,
				LedgerInstance.writeBehind(Durability.MEMORY), Map.of()));
		int own = connectionsOpened((manager, factory) -> new WriteBehindQueues(factory, LedgerInstance.REDIS_TIMEOUT,
				RedisCircuitBreaker.disabled(), manager.keyPrefix(), this.codec,
				LedgerInstance.writeBehind(Durability.MEMORY), Map.of()));
		assertThat(own).as("queues on a connection of their own open one more than those of the manager")
			.isEqualTo(shared + 1);
	}

	@Test
	void closingTheQueuesLeavesTheManagersConnectionOpen() throws Exception {
		String prefix = TestRedis.uniquePrefix();
		LettuceConnectionFactory factory = TestRedis.connectionFactory();
		LettuceConnectionFactory readerFactory = TestRedis.connectionFactory();
		TieredCacheManager manager = startedManager(factory, prefix);
		TieredCacheManager reader = startedManager(readerFactory, prefix);
		try {
			WriteBehindQueues queues = new WriteBehindQueues(manager, this.codec,
					LedgerInstance.writeBehind(Durability.MEMORY), Map.of());
			AppliedCalls calls = new AppliedCalls(manager.getTieredCache(CACHE));
			queues.register(calls);
			queues.start();
			assertThat(queues.enqueue(calls, 1L, "queued", String.class, new Object[] { 1L, "queued" })).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> calls.applied.containsKey(1L));
			queues.close();

			TieredCache cache = manager.getTieredCache(CACHE);
			long errorsBefore = cache.stats().remoteErrors();
			cache.put(2L, "after the queues closed");
			assertThat(cache.stats().remoteErrors()).as("Redis errors of the manager's cache").isEqualTo(errorsBefore);
			// an instance that queues nothing reads the cache as the queue lays it out, once it read that from Redis
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(reader.getTieredCache(CACHE).get(2L, String.class))
					.as("what another instance reads")
					.isEqualTo("after the queues closed"));
		}
		finally {
			reader.destroy();
			manager.destroy();
			readerFactory.destroy();
			factory.destroy();
		}
	}

	@Test
	void aQueuedWriteRedisMayNotHaveTakenLeavesNoOlderValueInL1() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", proxy.port());
			TieredCacheManager manager = TieredCacheManager.builder(factory)
				.keyPrefix(TestRedis.uniquePrefix())
				.codec(this.codec)
				.redisTimeout(Duration.ofMillis(500))
				.redisBreaker(null)
				.cache(CACHE, CacheSettings.DEFAULTS)
				.build();
			manager.afterPropertiesSet();
			manager.start();
			try {
				WriteBehindQueues queues = new WriteBehindQueues(manager, this.codec,
						LedgerInstance.writeBehind(Durability.MEMORY), Map.of());
				TieredCache cache = manager.getTieredCache(CACHE);
				TypedReads reads = cache.reads(String.class, cache.settings());
				AppliedCalls calls = new AppliedCalls(cache);
				queues.register(calls);
				queues.start();
				// Redis has the queue's script after a first call, so the one held below runs once delivered
				assertThat(queues.enqueue(calls, 2L, "first", String.class, new Object[] { 2L, "first" })).isTrue();
				await().atMost(Duration.ofSeconds(10)).until(() -> calls.applied.containsKey(2L));
				cache.put(1L, "older");
				assertThat(reads.peek(1L, ABSENT)).isEqualTo("older");

				proxy.blackHole();
				assertThatExceptionOfType(WriteBehindUnavailableException.class)
					.isThrownBy(() -> queues.enqueue(calls, 1L, "newer", String.class, new Object[] { 1L, "newer" }))
					.withMessageContaining("may or may not have taken it");
				assertThat(reads.peek(1L, ABSENT))
					.as("L1, while the queued write may be in Redis: no report of it comes back on this connection")
					.isSameAs(ABSENT);

				proxy.restore();
				await().atMost(Duration.ofSeconds(10)).until(() -> "newer".equals(calls.applied.get(1L)));
				assertThat(cache.get(1L, String.class)).as("read once the script ran after all").isEqualTo("newer");
				queues.close();
			}
			finally {
				manager.destroy();
				factory.destroy();
			}
		}
	}

	/** Connections accepted while a manager and its queues applied {@value #CALLS} queued calls and closed. */
	private int connectionsOpened(BiFunction<TieredCacheManager, LettuceConnectionFactory, WriteBehindQueues> queuesOf)
			throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", proxy.port());
			// each connection the factory gives is a new one, as when the application turns sharing off
			factory.setShareNativeConnection(false);
			TieredCacheManager manager = startedManager(factory, TestRedis.uniquePrefix());
			try {
				WriteBehindQueues queues = queuesOf.apply(manager, factory);
				AppliedCalls calls = new AppliedCalls(manager.getTieredCache(CACHE));
				queues.register(calls);
				queues.start();
				for (long id = 1; id <= CALLS; id++) {
					assertThat(queues.enqueue(calls, id, "v" + id, String.class, new Object[] { id, "v" + id })).isTrue();
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> calls.applied.size() == CALLS);
				queues.close();
				return proxy.connectionsAccepted();
			}
			finally {
				manager.destroy();
				factory.destroy();
			}
		}
	}

	private TieredCacheManager startedManager(LettuceConnectionFactory factory, String prefix) {
		TieredCacheManager manager = TieredCacheManager.builder(factory)
			.keyPrefix(prefix)
			.codec(this.codec)
			.redisTimeout(LedgerInstance.REDIS_TIMEOUT)
			.cache(CACHE, CacheSettings.DEFAULTS)
			.build();
		manager.afterPropertiesSet();
		manager.start();
		return manager;
	}

}
