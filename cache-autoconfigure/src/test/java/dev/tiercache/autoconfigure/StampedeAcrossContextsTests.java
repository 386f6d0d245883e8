package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stampede control through {@code @CacheAside} across four Spring Boot contexts (instances) sharing
 * one Redis, with real threads.
 */
class StampedeAcrossContextsTests {

	private static final int INSTANCES = 4;

	private static final int THREADS_PER_INSTANCE = 32;

	private final TestContexts contexts = new TestContexts();

	private final ExecutorService executor = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);

	private final SlowLoader loader = new SlowLoader();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
		this.contexts.close();
	}

	private List<ConfigurableApplicationContext> startInstances() {
		List<ConfigurableApplicationContext> instances = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			instances.add(this.contexts.start(StampedeApplication.class, Map.of("slowLoader", this.loader),
					"tiercache.caches.books.lock.lease=2s"));
		}
		return instances;
	}

	private List<Future<String>> callAtOnce(List<ConfigurableApplicationContext> instances, String key) {
		CountDownLatch start = new CountDownLatch(1);
		List<Future<String>> results = new ArrayList<>();
		for (ConfigurableApplicationContext instance : instances) {
			CatalogService catalog = instance.getBean(CatalogService.class);
			for (int thread = 0; thread < THREADS_PER_INSTANCE; thread++) {
				results.add(this.executor.submit(() -> {
					start.await();
					return catalog.title(key);
				}));
			}
		}
		start.countDown();
		return results;
	}

	@Test
	void fourInstancesOfThirtyTwoThreadsLoadAColdKeyExactlyOnce() throws Exception {
		List<ConfigurableApplicationContext> instances = startInstances();
		this.loader.block();
		List<Future<String>> results = callAtOnce(instances, "cold");
		await().atMost(Duration.ofSeconds(20)).until(() -> this.loader.calls.get() == 1 && instances.stream()
			.mapToLong((instance) -> booksStats(instance).localWaits() + booksStats(instance).remoteWaits())
			.sum() == INSTANCES * THREADS_PER_INSTANCE - 1);
		this.loader.unblockFirstCall();
		for (Future<String> result : results) {
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("title of cold");
		}
		assertThat(this.loader.calls).hasValue(1);
	}

	@Test
	void holderInstanceClosedMidLoadIsTakenOverAndEveryCallerGetsTheValue() throws Exception {
		List<ConfigurableApplicationContext> instances = startInstances();
		this.loader.block();
		List<Future<String>> results = callAtOnce(instances, "contested");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.loader.calls.get() == 1 && instancesWaitingRemotely(instances) == INSTANCES - 1);
		int holder = indexOfHolder(instances);
		this.loader.unblockLaterCalls();
		instances.get(holder).close();
		this.loader.unblockFirstCall();
		for (Future<String> result : results) {
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("title of contested");
		}
		assertThat(this.loader.calls).as("the closed holder's load and one take-over").hasValue(2);
	}

	/**
	 * Issue 16 item 16: the holder's leases are released as its context closes, while the Redis
	 * connection factory is still running, so another instance loads the key at once rather than after
	 * the default lease (10 s) runs out.
	 */
	@Test
	void closingTheHoldersContextReleasesItsLeaseAtOnce() throws Exception {
		ConfigurableApplicationContext holder = this.contexts.start(StampedeApplication.class,
				Map.of("slowLoader", this.loader));
		ConfigurableApplicationContext other = this.contexts.start(StampedeApplication.class,
				Map.of("slowLoader", this.loader));
		this.loader.block();
		Future<String> held = this.executor.submit(() -> holder.getBean(CatalogService.class).title("closing"));
		await().atMost(Duration.ofSeconds(20)).until(() -> this.loader.calls.get() == 1);
		holder.close();
		this.loader.unblockLaterCalls();
		assertThat(other.getBean(CatalogService.class).title("closing")).isEqualTo("title of closing");
		assertThat(booksStats(other).remoteWaits()).as("waits for the closed instance's lease").isZero();
		assertThat(this.loader.calls).as("the closed instance's load and this one").hasValue(2);
		this.loader.unblockFirstCall();
		assertThat(held.get(30, TimeUnit.SECONDS)).as("the closed instance's caller is served").isEqualTo("title of closing");
	}

	private static long instancesWaitingRemotely(List<ConfigurableApplicationContext> instances) {
		return instances.stream().filter((instance) -> booksStats(instance).remoteWaits() > 0).count();
	}

	/** The one instance not waiting for another: it holds the lease while its load is blocked. */
	private static int indexOfHolder(List<ConfigurableApplicationContext> instances) {
		for (int i = 0; i < instances.size(); i++) {
			if (booksStats(instances.get(i)).remoteWaits() == 0) {
				return i;
			}
		}
		throw new AssertionError("no instance is holding the lease");
	}

	private static CacheStats booksStats(ConfigurableApplicationContext instance) {
		return instance.getBean(TieredCacheManager.class).getTieredCache("books").stats();
	}

	/** The "database": counts its calls, and can hold its first call and the later ones until released. */
	static final class SlowLoader {

		final AtomicInteger calls = new AtomicInteger();

		private volatile CountDownLatch firstCall = new CountDownLatch(0);

		private volatile CountDownLatch laterCalls = new CountDownLatch(0);

		void block() {
			this.firstCall = new CountDownLatch(1);
			this.laterCalls = new CountDownLatch(1);
		}

		void unblockFirstCall() {
			this.firstCall.countDown();
		}

		void unblockLaterCalls() {
			this.laterCalls.countDown();
		}

		String load(String key) throws InterruptedException {
			int call = this.calls.incrementAndGet();
			assertThat((call == 1 ? this.firstCall : this.laterCalls).await(30, TimeUnit.SECONDS)).isTrue();
			return "title of " + key;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class StampedeApplication {

		@Bean
		CatalogService catalogService(SlowLoader slowLoader) {
			return new CatalogService(slowLoader);
		}

	}

	static class CatalogService {

		private final SlowLoader loader;

		CatalogService(SlowLoader loader) {
			this.loader = loader;
		}

		@CacheAside(cache = "books")
		public String title(String key) throws InterruptedException {
			return this.loader.load(key);
		}

	}

}
