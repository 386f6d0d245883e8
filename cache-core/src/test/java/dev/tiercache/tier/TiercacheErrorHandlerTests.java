package dev.tiercache.tier;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a manager's caches tell its {@link TiercacheErrorHandler}, over a real Redis (or a port where
 * none listens): each failure they keep from callers, after counting it, and a handler that throws
 * fails no call.
 */
class TiercacheErrorHandlerTests {

	private static final String CACHE = "books";

	private final TierFixture fixture = new TierFixture();

	private final Recording recording = new Recording();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void aRedisFailureReachesTheHandlerAfterItWasCounted() throws IOException {
		TieredCache cache = unreachableRedisCache((builder) -> builder.errorHandler(this.recording));
		assertThat(cache.get("k", String.class, () -> "loaded")).isEqualTo("loaded");
		assertThat(this.recording.redisFailures).isNotEmpty()
			.allSatisfy((failure) -> assertThat(failure).startsWith(CACHE + ": "));
		assertThat(cache.stats().remoteErrors()).isEqualTo(this.recording.redisFailures.size());
	}

	@Test
	void aFailedBackgroundReloadReachesTheHandlerAndTheEntryStays() {
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE,
					(defaults) -> defaults.withTtl(Duration.ofSeconds(2)).withTtlJitter(0)
						.withFreshness(Freshness.NONE.withRefreshAhead(0.1)),
					(builder) -> builder.errorHandler(this.recording))
			.getTieredCache(CACHE);
		cache.get("k", String.class, () -> "v1");
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			String read = cache.get("k", String.class, () -> {
				throw new IllegalStateException("database down");
			});
			assertThat(read).isEqualTo("v1");
			return !this.recording.refreshFailures.isEmpty();
		});
		assertThat(this.recording.refreshFailures.get(0)).startsWith(CACHE + ": k: ");
		assertThat(this.recording.refreshFailure).hasRootCauseMessage("database down");
		assertThat(cache.stats().refreshFailures()).isEqualTo(this.recording.refreshFailures.size());
	}

	@Test
	void aHandlerThatThrowsFailsNoCacheCall() throws IOException {
		AtomicInteger told = new AtomicInteger();
		TieredCache cache = unreachableRedisCache((builder) -> builder.errorHandler(new Recording() {

			@Override
			public void onRedisFailure(String cacheName, RuntimeException failure) {
				told.incrementAndGet();
				throw new IllegalStateException("a handler's bug");
			}

		}));
		assertThat(cache.get("k", String.class, () -> "loaded")).isEqualTo("loaded");
		cache.put("k", "written");
		assertThat(cache.get("k", String.class)).isEqualTo("written");
		assertThat(told).hasPositiveValue();
		assertThat(cache.stats().remoteErrors()).isEqualTo(told.get());
	}

	/**
	 * A handler that throws a checked exception (as Kotlin code may) or an {@code AssertionError}: the
	 * failed put still returns, and the delete it leaves to do is made once Redis answers, so Redis does
	 * not keep the value the put replaced. Before, the handler was told first and its throw skipped the
	 * repair.
	 */
	@Test
	void aHandlerThatThrowsACheckedExceptionLosesNoRepair() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			AtomicInteger told = new AtomicInteger();
			TieredCache cache = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE,
					UnaryOperator.identity(), (builder) -> builder.errorHandler(new Recording() {

						@Override
						public void onRedisFailure(String cacheName, RuntimeException failure) {
							told.incrementAndGet();
							throwUnchecked(new IOException("the metrics endpoint is down"));
						}

					}))
				.getTieredCache(CACHE);
			cache.put("k", "v1");
			String valueKey = this.fixture.valueKey(CACHE, "k");
			assertThat(this.fixture.rawGet(valueKey)).isNotNull();
			proxy.cut();
			cache.put("k", "v2");
			assertThat(told).hasPositiveValue();
			proxy.restore();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.fixture.rawGet(valueKey) == null);
		}
	}

	@SuppressWarnings("unchecked")
	private static <T extends Throwable> void throwUnchecked(Throwable failure) throws T {
		throw (T) failure;
	}

	@Test
	void byDefaultARedisFailureIsLoggedAsAWarning() throws IOException {
		try (CapturedWarnings warnings = new CapturedWarnings()) {
			TieredCache cache = unreachableRedisCache(UnaryOperator.identity());
			cache.get("k", String.class, () -> "loaded");
			assertThat(warnings.messages).singleElement()
				.satisfies((message) -> assertThat(message).startsWith("Tiercache cache '" + CACHE
						+ "' cannot use Redis and is serving from its loader and L1 (further errors within 30 s"));
		}
	}

	@Test
	void theDefaultHandlerWarnsOncePerCacheAndKindWithin30Seconds() {
		try (CapturedWarnings warnings = new CapturedWarnings()) {
			TiercacheErrorHandler handler = TiercacheErrorHandler.logging();
			RuntimeException failure = new IllegalStateException("refused");
			handler.onRedisFailure("a", failure);
			handler.onRedisFailure("a", failure);
			handler.onRedisFailure("b", failure);
			handler.onUnreadableEntry("a", "deleted an entry it cannot read");
			handler.onUnreadableEntry("a", "deleted an entry it cannot read");
			handler.onRefreshFailure("a", "k", failure);
			handler.onFailSafeServed("a", "k", failure);
			TiercacheErrorHandler.logging().onRedisFailure("a", failure);
			assertThat(warnings.messages).as("one per cache and kind; a reload and a fail-safe read share a limit;"
					+ " each handler its own limits")
				.hasSize(5);
		}
	}

	/** A cache of a manager whose Redis is a port nothing listens on. */
	private TieredCache unreachableRedisCache(UnaryOperator<TieredCacheManager.Builder> customizer) throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		return this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", closedPort), CACHE,
				UnaryOperator.identity(), customizer.andThen((builder) -> builder.redisBreaker(null))::apply)
			.getTieredCache(CACHE);
	}

	/** Records what it is told, as "cache: key: message". */
	private static class Recording implements TiercacheErrorHandler {

		final List<String> redisFailures = new CopyOnWriteArrayList<>();

		final List<String> refreshFailures = new CopyOnWriteArrayList<>();

		volatile @Nullable Throwable refreshFailure;

		@Override
		public void onRedisFailure(String cacheName, RuntimeException failure) {
			this.redisFailures.add(cacheName + ": " + failure.getMessage());
		}

		@Override
		public void onRefreshFailure(String cacheName, Object key, Throwable failure) {
			this.refreshFailure = failure;
			this.refreshFailures.add(cacheName + ": " + key + ": " + failure.getMessage());
		}

		@Override
		public void onFailSafeServed(String cacheName, Object key, Throwable failure) {
		}

		@Override
		public void onUnreadableEntry(String cacheName, String problem) {
		}

	}

	/** The warnings logged under the caches' category while open. */
	private static final class CapturedWarnings extends Handler implements AutoCloseable {

		private final Logger logger = Logger.getLogger(TieredCache.class.getName());

		final List<String> messages = new CopyOnWriteArrayList<>();

		CapturedWarnings() {
			this.logger.addHandler(this);
		}

		@Override
		public void publish(LogRecord record) {
			if (record.getLevel() == Level.WARNING) {
				this.messages.add(record.getMessage());
			}
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
			this.logger.removeHandler(this);
		}

	}

}
