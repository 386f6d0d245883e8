package dev.tiercache.tier;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.test.CapturedLog;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A manager's {@code destroy()} stops every thread it started (namespace reads, checks, repairs, lease
 * renewal, load wake-ups, events), on every way out: also when it runs on an interrupted thread, as
 * Spring's shutdown thread may be once a write-behind drain was interrupted. Before, the subscription's
 * wait threw there and the steps after it (the Redis tier, the breaker, the executors, the events) never
 * ran. Real Redis.
 */
class TieredCacheManagerShutdownTests {

	private final TierFixture fixture = new TierFixture();

	private final List<Object> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void destroyOnAnInterruptedThreadStillStopsEveryThreadItStarted() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			destroyOnAnInterruptedThread(proxy);
		}
	}

	/** With Redis black-holed at the end, so that the load wake-ups' subscriber is slow to stop. */
	private void destroyOnAnInterruptedThread(TcpProxy proxy) throws Exception {
		Set<Thread> before = tiercacheThreads();
		TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()),
				"books", UnaryOperator.identity());
		manager.setApplicationEventPublisher(this.events::add);
		manager.start();
		TieredCache cache = manager.getTieredCache("books");
		cache.put("dune", "Dune");
		assertThat(cache.get("frank", String.class, () -> "Frank Herbert")).isEqualTo("Frank Herbert");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.events.isEmpty());
		Set<Thread> started = tiercacheThreads();
		started.removeAll(before);
		assertThat(started).as("threads the manager started").isNotEmpty();
		manager.stop();
		proxy.blackHole();
		Thread.currentThread().interrupt();
		try {
			manager.destroy();
		}
		finally {
			assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
		}
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(started.stream()
			.filter(Thread::isAlive).map(Thread::getName)).as("still running").isEmpty());
	}

	/**
	 * Issue 19: a context closed right after it started, as test suites do all the time, logs no warning
	 * or error. Spring Data Redis's listener container, which the load wake-ups subscribed with, logged
	 * "Restarting subscription task after 5000 ms" at ERROR when its subscription, still being made,
	 * met the connection factory already stopped.
	 */
	@Test
	void aContextClosedRightAfterItStartedLogsNoWarningOrError() {
		Set<Thread> before = tiercacheThreads();
		try (CapturedLog log = new CapturedLog("", Level.WARNING)) {
			for (int i = 0; i < 20; i++) {
				try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
					context.registerBean(LettuceConnectionFactory.class, TestRedis::connectionFactory);
					context.registerBean(TieredCacheManager.class, () -> TieredCacheManager
						.builder(context.getBean(LettuceConnectionFactory.class))
						.keyPrefix(this.fixture.prefix)
						.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
						.cache("books", CacheSettings.DEFAULTS)
						.build());
					context.refresh();
				}
			}
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(tiercacheThreads())
				.as("threads of the closed managers").isSubsetOf(before));
			assertThat(log.lines()).as("warnings and errors logged").isEmpty();
		}
	}

	private static Set<Thread> tiercacheThreads() {
		return Thread.getAllStackTraces().keySet().stream()
			.filter((thread) -> thread.getName().startsWith("tiercache-"))
			.collect(Collectors.toSet());
	}

}
