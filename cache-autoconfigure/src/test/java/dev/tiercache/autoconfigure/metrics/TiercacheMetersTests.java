package dev.tiercache.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tiercache.autoconfigure.TiercacheAutoConfiguration;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, meters: the values of the {@code tiercache.*} meters, and of Boot's own cache meters, after
 * a known sequence of calls on a real Redis.
 */
class TiercacheMetersTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TiercacheAutoConfiguration.class,
				TiercacheMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CacheAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
				"tiercache.key-prefix=" + TestRedis.uniquePrefix(), "tiercache.cache-names=books",
				"tiercache.caches.shared.mode=remote");

	@Test
	void metersCountAKnownSequenceOfCallsPerCacheTierAndResult() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TestRedis.awaitStartupResynchronization(manager);
			TieredCache books = manager.getTieredCache("books");
			// on Redis < 7.2 a loaded entry may reach L1 one background check after the load returns
			books.get("1", String.class, () -> "one");
			await().atMost(Duration.ofSeconds(5)).until(() -> books.localSize() == 1);
			books.get("1", String.class, () -> "not loaded");
			books.get("none", String.class, () -> null);
			await().atMost(Duration.ofSeconds(5)).until(() -> books.localSize() == 2);
			books.get("none", String.class, () -> "not loaded");
			assertThatExceptionOfType(RuntimeException.class)
				.isThrownBy(() -> books.get("boom", String.class, () -> {
					throw new IllegalStateException("database down");
				}));
			TieredCache shared = manager.getTieredCache("shared");
			shared.get("1", String.class, () -> "one");
			shared.get("1", String.class, () -> "not loaded");

			assertThat(count(registry, "tiercache.gets", "books", "tier", "local", "result", "hit")).isEqualTo(1);
			assertThat(count(registry, "tiercache.gets", "books", "tier", "local", "result", "null_hit")).isEqualTo(1);
			assertThat(count(registry, "tiercache.gets", "books", "tier", "local", "result", "miss")).isEqualTo(3);
			assertThat(count(registry, "tiercache.gets", "books", "tier", "remote", "result", "miss")).isEqualTo(3);
			assertThat(count(registry, "tiercache.gets", "books", "tier", "remote", "result", "hit")).isZero();
			assertThat(count(registry, "tiercache.loads", "books", "result", "success")).isEqualTo(2);
			assertThat(count(registry, "tiercache.loads", "books", "result", "failure")).isEqualTo(1);
			assertThat(registry.get("tiercache.load.duration").tag("cache", "books").timer().count()).isEqualTo(3);
			assertThat(registry.get("tiercache.size").tag("cache", "books").gauge().value()).isEqualTo(2);
			assertThat(count(registry, "tiercache.gets", "shared", "tier", "remote", "result", "hit")).isEqualTo(1);
			assertThat(count(registry, "tiercache.gets", "shared", "tier", "remote", "result", "miss")).isEqualTo(1);
			assertThat(count(registry, "tiercache.errors", "books", "operation", "redis")).isZero();
			assertThat(registry.get("tiercache.breaker.state").tag("state", "closed").gauge().value()).isEqualTo(1);
			assertThat(registry.get("tiercache.breaker.state").tag("state", "open").gauge().value()).isZero();
			assertThat(registry.get("tiercache.invalidations").tag("direction", "received").functionCounter())
				.isNotNull();

			assertThat(registry.get("cache.gets").tag("cache", "books").tag("result", "hit").functionCounter().count())
				.as("Boot's cache meter: hits in either tier").isEqualTo(2);
			assertThat(registry.get("cache.gets").tag("cache", "books").tag("result", "miss").functionCounter().count())
				.isEqualTo(3);
		});
	}

	@Test
	void aCacheCreatedOnFirstUseGetsItsMeters() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			TieredCache later = context.getBean(TieredCacheManager.class).getTieredCache("later");
			later.get("k", String.class, () -> "v");
			assertThat(count(registry, "tiercache.gets", "later", "tier", "local", "result", "miss")).isEqualTo(1);
			assertThat(count(registry, "tiercache.loads", "later", "result", "success")).isEqualTo(1);
		});
	}

	@Test
	void aCallerServedByAnotherThreadsLoadIsCountedAndItsWaitTimed() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			TieredCache books = context.getBean(TieredCacheManager.class).getTieredCache("books");
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<String> loading = CompletableFuture.supplyAsync(() -> books.get("slow", String.class, () -> {
				release.await();
				return "loaded";
			}));
			await().atMost(Duration.ofSeconds(5)).until(() -> books.stats().loads() == 0 && books.stats().localMisses() == 1);
			CompletableFuture<String> joining = CompletableFuture
				.supplyAsync(() -> books.get("slow", String.class, () -> "not loaded"));
			await().atMost(Duration.ofSeconds(5)).until(() -> books.stats().localWaits() == 1);
			release.countDown();
			assertThat(loading.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
			assertThat(joining.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");

			assertThat(count(registry, "tiercache.coalesced", "books", "tier", "local")).isEqualTo(1);
			FunctionTimer wait = registry.get("tiercache.lock.wait").tag("cache", "books").tag("tier", "local")
				.functionTimer();
			assertThat(wait.count()).isEqualTo(1);
			assertThat(wait.totalTime(TimeUnit.NANOSECONDS)).isPositive();
		});
	}

	private static double count(MeterRegistry registry, String name, String cache, String... tags) {
		return registry.get(name).tag("cache", cache).tags(tags).functionCounter().count();
	}

}
