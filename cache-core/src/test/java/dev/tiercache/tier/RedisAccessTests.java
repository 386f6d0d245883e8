package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, Redis access: connecting never blocks callers, a closed connection is opened
 * again, and writes that Redis did not take are applied once it answers. Failures are injected with
 * a real TCP proxy and the connection factory's own lifecycle.
 */
class RedisAccessTests {

	private static final String CACHE = "books";

	private static final Object ABSENT = new Object();

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void connectingToAHostThatNeverAnswersNeverBlocksCallersBeyondTheTimeout() throws Exception {
		try (TcpProxy blackHole = TcpProxy.silentServer()) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", blackHole.port()), CACHE, UnaryOperator.identity())
				.getTieredCache(CACHE);
			for (int i = 0; i < 3; i++) {
				String key = "k" + i;
				CompletableFuture<String> call = CompletableFuture
					.supplyAsync(() -> cache.get(key, String.class, () -> "from the loader"));
				assertThat(call.get(2, TimeUnit.SECONDS)).as("well inside Lettuce's 10 s connect timeout")
					.isEqualTo("from the loader");
			}
			assertThat(cache.stats().remoteErrors()).isPositive();
			assertThat(cache.get("k0", String.class)).as("L1 kept serving").isEqualTo("from the loader");
		}
	}

	@Test
	void connectionIsOpenedAgainAfterTheFactoryIsStoppedAndStarted() {
		LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();
		TieredCache cache = this.fixture.manager(connectionFactory, CACHE, UnaryOperator.identity())
			.getTieredCache(CACHE);
		cache.put("before", "v");
		connectionFactory.stop();
		cache.put("while-stopped", "v");
		connectionFactory.start();
		assertRedisComesBack(cache, "after-restart");
	}

	@Test
	void commandInFlightWhenTheConnectionDropsNeverReachesTheCaller() throws Exception {
		LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();
		TieredCache cache = this.fixture
			.manager(connectionFactory, CACHE, UnaryOperator.identity(), (builder) -> builder.redisTimeout(Duration.ofSeconds(5)))
			.getTieredCache(CACHE);
		cache.put("warm", "v");
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			AtomicReference<Thread> writer = new AtomicReference<>();
			this.fixture.pauseWrites(2000);
			Future<?> put = executor.submit(() -> {
				writer.set(Thread.currentThread());
				cache.put("k", "v");
			});
			await().atMost(Duration.ofSeconds(5))
				.until(() -> writer.get() != null && writer.get().getState() == Thread.State.TIMED_WAITING);
			this.fixture.killClientConnections();
			put.get(10, TimeUnit.SECONDS);
		}
		finally {
			executor.shutdownNow();
		}
		assertRedisComesBack(cache, "after-cancel");
	}

	private void assertRedisComesBack(TieredCache cache, String key) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			cache.put(key, "written");
			assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, key))).isNotNull();
		});
		TieredCache other = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		assertThat(other.get(key, String.class, () -> "not expected")).isEqualTo("written");
		assertThat(cache.get("stampede-" + key, String.class, () -> "loaded under a lease")).isEqualTo("loaded under a lease");
		assertThat(other.get("stampede-" + key, String.class, () -> "not expected")).as("stored through the lease again")
			.isEqualTo("loaded under a lease");
	}

	@Test
	void evictThatRedisDidNotTakeIsAppliedOnceRedisAnswers() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE, UnaryOperator.identity())
				.getTieredCache(CACHE);
			cache.put("k", "old");
			assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNotNull();
			proxy.cut();
			cache.evict("k");
			assertThat(cache.peekLocal("k", String.class, String.class, ABSENT)).isSameAs(ABSENT);
			assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).as("Redis still holds the old value")
				.isNotNull();
			proxy.restore();
			await().atMost(Duration.ofSeconds(15))
				.until(() -> this.fixture.rawGet(this.fixture.valueKey(CACHE, "k")) == null);
		}
	}

	@Test
	void putThatRedisDidNotTakeDeletesTheOldValueOnceRedisAnswers() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE, UnaryOperator.identity())
				.getTieredCache(CACHE);
			cache.put("k", "old");
			proxy.cut();
			cache.put("k", "new");
			assertThat(cache.peekLocal("k", String.class, String.class, ABSENT)).isEqualTo("new");
			proxy.restore();
			await().atMost(Duration.ofSeconds(15))
				.until(() -> this.fixture.rawGet(this.fixture.valueKey(CACHE, "k")) == null);
			TieredCache other = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
			assertThat(other.get("k", String.class, () -> "reloaded")).as("never the old value").isEqualTo("reloaded");
		}
	}

	@Test
	void clearThatRedisDidNotTakeIsFinishedOnceRedisAnswers() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE, UnaryOperator.identity())
				.getTieredCache(CACHE);
			for (int i = 0; i < 10; i++) {
				cache.put("k" + i, "old");
			}
			proxy.cut();
			cache.clear();
			assertThat(cache.localSize()).isZero();
			proxy.restore();
			await().atMost(Duration.ofSeconds(15)).until(() -> this.fixture.rawGet(this.fixture.prefix + ":ns:{" + CACHE + "}") != null);
			TieredCache other = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
			for (int i = 0; i < 10; i++) {
				assertThat(other.get("k" + i, String.class, () -> "reloaded")).isEqualTo("reloaded");
			}
		}
	}

	@Test
	void pendingRepairsAreBoundedAndCountedWhenTheBoundIsHit() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE, UnaryOperator.identity(),
						(builder) -> builder.maxPendingRepairs(3))
				.getTieredCache(CACHE);
			cache.put("warm", "v");
			proxy.cut();
			for (int i = 0; i < 5; i++) {
				cache.evict("k" + i);
			}
			assertThat(cache.stats().repairsDropped()).isEqualTo(2);
		}
	}

}
