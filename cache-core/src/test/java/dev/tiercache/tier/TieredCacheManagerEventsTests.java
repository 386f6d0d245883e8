package dev.tiercache.tier;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TiercacheEvent.CacheCreated;
import dev.tiercache.tier.TiercacheEvent.RedisCallsResumed;
import dev.tiercache.tier.TiercacheEvent.RedisCallsStopped;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The events a manager publishes through the application's event publisher, off the callers' threads:
 * each cache's creation, and the circuit breaker stopping and resuming Redis calls (over a real Redis
 * behind a real TCP proxy).
 */
class TieredCacheManagerEventsTests {

	private static final CacheSettings LOCAL = CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL);

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	/**
	 * Not while beans are initialized: {@code @EventListener} methods are registered after that. A cache
	 * created on first use in between is published at once, so it comes first.
	 */
	@Test
	void declaredCachesArePublishedOnceWhenTheManagerFirstStarts() throws Exception {
		TieredCacheManager manager = TieredCacheManager.builder(null).defaults(LOCAL).cache("a", LOCAL)
			.cache("b", LOCAL.withTtl(Duration.ofSeconds(7)))
			.build();
		manager.setApplicationEventPublisher(this.events::add);
		manager.afterPropertiesSet();
		manager.getCache("before-start");
		manager.start();
		manager.stop();
		manager.start();
		manager.destroy();
		assertThat(this.events).as("all delivered once destroy() returns")
			.containsExactly(new CacheCreated("before-start", LOCAL), new CacheCreated("a", LOCAL),
					new CacheCreated("b", LOCAL.withTtl(Duration.ofSeconds(7))));
	}

	@Test
	void aCacheCreatedOnFirstUseIsPublishedOnce() throws Exception {
		TieredCacheManager manager = TieredCacheManager.builder(null).defaults(LOCAL).build();
		manager.setApplicationEventPublisher(this.events::add);
		manager.afterPropertiesSet();
		manager.getCache("books");
		manager.getCache("books");
		manager.destroy();
		assertThat(this.events).containsExactly(new CacheCreated("books", LOCAL));
	}

	@Test
	void eventsAreDeliveredOffTheThreadThatSawTheChange() throws Exception {
		List<Thread> threads = new CopyOnWriteArrayList<>();
		TieredCacheManager manager = TieredCacheManager.builder(null).defaults(LOCAL).build();
		manager.setApplicationEventPublisher((event) -> threads.add(Thread.currentThread()));
		manager.afterPropertiesSet();
		manager.getCache("books");
		await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
		assertThat(threads).singleElement().isNotSameAs(Thread.currentThread());
		manager.destroy();
	}

	@Test
	void aListenerThatThrowsDoesNotFailTheCacheCall() throws Exception {
		TieredCacheManager manager = TieredCacheManager.builder(null).defaults(LOCAL).build();
		manager.setApplicationEventPublisher((event) -> {
			throw new IllegalStateException("a listener's bug");
		});
		manager.afterPropertiesSet();
		assertThat(manager.getCache("books")).isNotNull();
		manager.destroy();
	}

	@Test
	void theBreakerStoppingAndResumingRedisCallsArePublished() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()),
					"books", (settings) -> settings);
			manager.setApplicationEventPublisher(this.events::add);
			TieredCache cache = manager.getTieredCache("books");
			proxy.cut();
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				cache.get(UUID.randomUUID().toString(), String.class, () -> "loaded");
				return this.events.stream().anyMatch(RedisCallsStopped.class::isInstance);
			});
			assertThat(this.events).noneMatch(RedisCallsResumed.class::isInstance);
			proxy.restore();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.events.stream().anyMatch(RedisCallsResumed.class::isInstance));
			RedisCallsResumed resumed = this.events.stream().filter(RedisCallsResumed.class::isInstance)
				.map(RedisCallsResumed.class::cast).findFirst().orElseThrow();
			RedisCallsStopped stopped = this.events.stream().filter(RedisCallsStopped.class::isInstance)
				.map(RedisCallsStopped.class::cast).findFirst().orElseThrow();
			assertThat(resumed.outage()).isPositive();
			assertThat(resumed.at()).isAfterOrEqualTo(stopped.at());
		}
	}

}
