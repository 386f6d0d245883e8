package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.resilience.RedisConnectionRejectedException;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application with a method for each pattern ({@link Service}) over an in-memory "database" the
 * instances of a test share ({@link Catalog}, registered as the singleton {@code catalog}), and
 * {@link #exerciseEveryPattern}, which runs each pattern across two instances and checks what another
 * instance sees: for tests of how Tiercache reaches Redis (ACL users, TLS), where every pattern must
 * work and Redis must have failed no call.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class CatalogApplication {

	@Bean
	Service catalogService(Catalog catalog) {
		return new Service(catalog);
	}

	/**
	 * Runs a stampede (8 concurrent reads of a key on two instances: one load), a write-through, a
	 * write-around, an invalidation of every entry and a write-behind on {@code first} and {@code second},
	 * checking each from the other instance, then that neither instance met a Redis error.
	 */
	static void exerciseEveryPattern(ConfigurableApplicationContext first, ConfigurableApplicationContext second)
			throws Exception {
		Catalog catalog = first.getBean(Catalog.class);
		Service one = first.getBean(Service.class);
		Service two = second.getBean(Service.class);
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			catalog.titles.put(1L, "Dune");
			catalog.holdLoads();
			List<Future<String>> readers = new ArrayList<>();
			for (Service instance : List.of(one, two, one, two, one, two, one, two)) {
				readers.add(executor.submit(() -> instance.title(1)));
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> catalog.loads.get() == 1);
			catalog.releaseLoads();
			for (Future<String> reader : readers) {
				assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(catalog.loads).as("one load for 8 concurrent readers on two instances: leases work").hasValue(1);

		two.save(2, "Emma");
		assertThat(one.title(2)).as("written through to Redis").isEqualTo("Emma");
		one.rename(1, "Dune Messiah");
		awaitTitle(two, 1, "Dune Messiah");
		two.forgetAll();
		catalog.titles.put(2L, "Persuasion");
		awaitTitle(one, 2, "Persuasion");

		one.setPrice(7, "12.50");
		await().atMost(Duration.ofSeconds(10)).until(() -> "12.50".equals(catalog.prices.get(7L)));
		assertThat(two.price(7)).as("the queued write, read by the other instance").isEqualTo("12.50");

		for (ConfigurableApplicationContext instance : List.of(first, second)) {
			TieredCacheManager manager = instance.getBean(TieredCacheManager.class);
			for (String name : List.of("books", "prices")) {
				assertThat(manager.getTieredCache(name).stats().remoteErrors()).as("Redis errors in " + name).isZero();
			}
		}
	}

	/** The shared singletons of the instances of one test. */
	static Map<String, Object> shared(Catalog catalog) {
		return Map.of("catalog", catalog);
	}

	/** The {@link RedisConnectionRejectedException} among a start-up failure's causes, if any. */
	static @Nullable RedisConnectionRejectedException rejectionIn(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisConnectionRejectedException rejected) {
				return rejected;
			}
		}
		return null;
	}

	private static void awaitTitle(Service service, long id, String title) {
		await().atMost(Duration.ofSeconds(5)).until(() -> title.equals(service.title(id)));
	}

	/** The "database" the instances share: titles and prices, with a count of loads and a gate on them. */
	static final class Catalog {

		final Map<Long, String> titles = new ConcurrentHashMap<>();

		final Map<Long, String> prices = new ConcurrentHashMap<>();

		final AtomicInteger loads = new AtomicInteger();

		private volatile CountDownLatch gate = new CountDownLatch(0);

		void holdLoads() {
			this.gate = new CountDownLatch(1);
		}

		void releaseLoads() {
			this.gate.countDown();
		}

		<T> T load(Callable<T> read) throws Exception {
			this.loads.incrementAndGet();
			if (!this.gate.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("loads were held for 10 s");
			}
			return read.call();
		}

	}

	static class Service {

		private final Catalog catalog;

		Service(Catalog catalog) {
			this.catalog = catalog;
		}

		@CacheAside(cache = "books", key = "#id")
		public @Nullable String title(long id) throws Exception {
			return this.catalog.load(() -> this.catalog.titles.get(id));
		}

		@WriteThrough(cache = "books", key = "#id", value = "#title")
		public void save(long id, String title) {
			this.catalog.titles.put(id, title);
		}

		@WriteAround(cache = "books", key = "#id")
		public void rename(long id, String title) {
			this.catalog.titles.put(id, title);
		}

		@CacheInvalidate(cache = "books", allEntries = true)
		public void forgetAll() {
		}

		@WriteBehind(cache = "prices", key = "#id", value = "#amount")
		public void setPrice(long id, String amount) {
			this.catalog.prices.put(id, amount);
		}

		@CacheAside(cache = "prices", key = "#id")
		public @Nullable String price(long id) {
			return this.catalog.prices.get(id);
		}

	}

}
