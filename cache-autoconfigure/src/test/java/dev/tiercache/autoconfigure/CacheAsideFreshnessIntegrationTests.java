package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.tier.Freshness;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, freshness through {@code @CacheAside} in real Spring Boot contexts on a real Redis: the
 * annotation's attributes override the cache's properties, a refresh runs the method on the refresh
 * executor (never the caller's thread), and fail-safe returns the last value when the method throws.
 */
class CacheAsideFreshnessIntegrationTests {

	private final TestContexts contexts = new TestContexts();

	private final Feed feed = new Feed(Thread.currentThread().getName());

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		return this.contexts.start(QuoteApplication.class, Map.of("feed", this.feed), properties);
	}

	@Test
	void propertiesSetEachCachesFreshnessOverTheDefaults() {
		ConfigurableApplicationContext context = start("tiercache.defaults.stale-while-revalidate=30s",
				"tiercache.caches.quotes.refresh-ahead=0.8", "tiercache.caches.quotes.early-expiry-beta=1",
				"tiercache.caches.quotes.fail-safe=5m");
		TieredCacheManager manager = context.getBean(TieredCacheManager.class);
		assertThat(manager.getTieredCache("quotes").settings().freshness())
			.isEqualTo(new Freshness(0.8, Duration.ofSeconds(30), 1, Duration.ofMinutes(5)));
		assertThat(manager.getTieredCache("books").settings().freshness())
			.isEqualTo(Freshness.NONE.withStaleWhileRevalidate(Duration.ofSeconds(30)));
	}

	@Test
	void aRefreshRunsTheMethodOnTheRefreshExecutorWhileCallersGetTheCachedValue() {
		ConfigurableApplicationContext context = start("tiercache.caches.quotes.ttl=600ms",
				"tiercache.caches.quotes.ttl-jitter=0");
		QuoteService quotes = context.getBean(QuoteService.class);
		assertThat(quotes.quote("A")).isEqualTo("A:1");
		await().atMost(Duration.ofSeconds(10)).until(() -> quotes.quote("A").equals("A:3"));
		assertThat(this.feed.threads).as("where the method ran")
			.contains(Thread.currentThread().getName())
			.anySatisfy((name) -> assertThat(name).startsWith("tiercache-refresh-"));
		assertThat(this.feed.onCallerThread).as("runs on the caller's thread: only the first").hasValue(1);
	}

	@Test
	void failSafeFromTheAnnotationReturnsTheLastValueWhenTheMethodThrows() {
		ConfigurableApplicationContext context = start("tiercache.caches.quotes.ttl-jitter=0", "quotes.fail-safe=30s");
		QuoteService quotes = context.getBean(QuoteService.class);
		assertThat(quotes.guarded("B")).isEqualTo("B:1");
		this.feed.failing.set(true);
		long written = System.nanoTime();
		await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - written > 300_000_000L);
		assertThat(quotes.guarded("B")).as("the 200 ms TTL passed; the method threw").isEqualTo("B:1");
		assertThat(context.getBean(TieredCacheManager.class).getTieredCache("quotes").stats().failSafeHits())
			.isEqualTo(1);
	}

	@Test
	void anAttributeOutOfRangeFailsStartupNamingIt() {
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> this.contexts.start(BadQuoteApplication.class,
				Map.of()))
			.withStackTraceContaining("@CacheAside(refreshAhead = \"1.5\")")
			.withStackTraceContaining("above 0 and below 1");
	}

	@Test
	void aPropertyOutOfRangeFailsStartupNamingIt() {
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> start("tiercache.caches.quotes.refresh-ahead=1"))
			.withStackTraceContaining("'tiercache.caches.quotes.refresh-ahead'");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class QuoteApplication {

		@Bean
		QuoteService quoteService(Feed feed) {
			return new QuoteService(feed);
		}

	}

	/** What the service's data source saw, shared with the test (a bean's proxy has no state of its own). */
	static final class Feed {

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final AtomicInteger onCallerThread = new AtomicInteger();

		final AtomicBoolean failing = new AtomicBoolean();

		private final AtomicInteger versions = new AtomicInteger();

		private final String caller;

		Feed(String caller) {
			this.caller = caller;
		}

		String quote(String symbol) {
			String name = Thread.currentThread().getName();
			this.threads.add(name);
			if (name.equals(this.caller)) {
				this.onCallerThread.incrementAndGet();
			}
			if (this.failing.get()) {
				throw new IllegalStateException("quote feed down");
			}
			return symbol + ":" + this.versions.incrementAndGet();
		}

	}

	static class QuoteService {

		private final Feed feed;

		QuoteService(Feed feed) {
			this.feed = feed;
		}

		@CacheAside(cache = "quotes", refreshAhead = "0.5")
		public String quote(String symbol) {
			return this.feed.quote(symbol);
		}

		@CacheAside(cache = "quotes", key = "'guarded:' + #symbol", ttl = "200ms", failSafe = "${quotes.fail-safe:0}")
		public String guarded(String symbol) {
			return this.feed.quote(symbol);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BadQuoteApplication {

		@Bean
		BadQuoteService badQuoteService() {
			return new BadQuoteService();
		}

	}

	static class BadQuoteService {

		@CacheAside(cache = "quotes", refreshAhead = "1.5")
		public String quote(String symbol) {
			return symbol;
		}

	}

}
