package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueRetrievalException;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, freshness: refresh-ahead, stale-while-revalidate, early expiry and fail-safe, against a
 * real Redis with real threads. "Waits for the loader" is observed by where the loader runs: a
 * reader's own thread, or the refresh executor's.
 */
class FreshnessTests {

	private static final String CACHE = "prices";

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	/** A loader that counts where it runs and returns a new version each time. */
	private static final long HOT_READ_PAUSE_NANOS = Duration.ofMillis(1).toNanos();

	private static final class Source {

		final AtomicInteger versions = new AtomicInteger();

		final AtomicInteger onReaderThreads = new AtomicInteger();

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger mostAtOnce = new AtomicInteger();

		final AtomicBoolean failing = new AtomicBoolean();

		private final long loadMillis;

		private final List<Thread> readers = new ArrayList<>();

		Source(long loadMillis) {
			this.loadMillis = loadMillis;
		}

		synchronized void reader(Thread thread) {
			this.readers.add(thread);
		}

		String load() throws InterruptedException {
			synchronized (this) {
				if (this.readers.contains(Thread.currentThread())) {
					this.onReaderThreads.incrementAndGet();
				}
			}
			this.mostAtOnce.accumulateAndGet(this.running.incrementAndGet(), Math::max);
			try {
				Thread.sleep(this.loadMillis); // the database's work
				if (this.failing.get()) {
					throw new IllegalStateException("database down");
				}
				return "v" + this.versions.incrementAndGet();
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

	private TieredCache cache(UnaryOperator<CacheSettings> settings) {
		return this.fixture.manager(CACHE, settings).getTieredCache(CACHE);
	}

	private static String read(TieredCache cache, Source source) {
		source.reader(Thread.currentThread());
		return cache.get("k", String.class, source::load);
	}

	@Test
	void refreshAheadKeepsAHotKeyFreshAcrossInstancesWithoutAReaderEverRunningTheLoader() throws Exception {
		UnaryOperator<CacheSettings> settings = (defaults) -> defaults.withTtl(Duration.ofMillis(600))
			.withTtlJitter(0)
			.withFreshness(Freshness.NONE.withRefreshAhead(0.5));
		TieredCache a = cache(settings);
		TieredCache b = cache(settings);
		Source source = new Source(50);
		assertThat(read(a, source)).isEqualTo("v1");
		// b connects in the background: until it has read its namespace version, it treats Redis as down
		// and its readers load by themselves, which is not what this test is about
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			read(b, source);
			return b.stats().remoteHits() > 0;
		});
		int firstLoads = source.onReaderThreads.get();

		AtomicBoolean stop = new AtomicBoolean();
		List<String> seen = new ArrayList<>();
		Thread other = new Thread(() -> {
			// a hot key, read about a thousand times a second: a loop without a pause would take a core of the
			// two, and starve the reloads and Redis's I/O threads long enough for the entry to expire
			while (!stop.get()) {
				read(b, source);
				LockSupport.parkNanos(HOT_READ_PAUSE_NANOS);
			}
		});
		other.start();
		await().atMost(Duration.ofSeconds(15)).until(() -> {
			seen.add(read(a, source));
			return source.versions.get() >= 6;
		});
		stop.set(true);
		other.join(5000);

		System.out.printf("[issue 9 refresh-ahead] ttl 600 ms, refresh at 50 %%: %d versions loaded, %d by a reader "
				+ "after the first, at most %d loads at once across 2 instances%n", source.versions.get(),
				source.onReaderThreads.get() - firstLoads, source.mostAtOnce.get());
		assertThat(source.onReaderThreads.get()).as("loads a reader waited for").isEqualTo(firstLoads);
		assertThat(source.mostAtOnce.get()).as("one reload at a time across both instances").isEqualTo(1);
		assertThat(Set.copyOf(seen)).as("versions the reader saw, polling every 100 ms").hasSizeGreaterThanOrEqualTo(3);
		assertThat(a.stats().refreshes() + b.stats().refreshes()).isGreaterThanOrEqualTo(5);
	}

	@Test
	void afterItsSoftExpiryAStaleEntryIsServedAtOnceWhileOneReloadRuns() {
		TieredCache cache = cache((defaults) -> defaults.withTtl(Duration.ofMillis(300))
			.withTtlJitter(0)
			.withFreshness(Freshness.NONE.withStaleWhileRevalidate(Duration.ofSeconds(30))));
		Source source = new Source(20);
		assertThat(read(cache, source)).isEqualTo("v1");
		long ttl = this.fixture.rawTtlMillis(this.fixture.valueKey(CACHE, "k"));
		assertThat(ttl).as("Redis keeps it for ttl + the stale window").isGreaterThan(29_000);
		awaitSoftExpiry();

		assertThat(read(cache, source)).as("the stale value, at once").isEqualTo("v1");
		assertThat(source.onReaderThreads.get()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(read(cache, source)));
		assertThat(source.onReaderThreads.get()).as("the reload ran in the background").isEqualTo(1);
		CacheStats stats = cache.stats();
		assertThat(stats.staleHits()).isPositive();
		assertThat(stats.refreshes()).isEqualTo(1);
	}

	@Test
	void whenTheLoaderThrowsAnExpiredEntryIsServedForTheFailSafeWindowThenTheFailureReachesTheCaller() {
		TieredCache cache = cache((defaults) -> defaults.withTtl(Duration.ofMillis(200))
			.withTtlJitter(0)
			.withFreshness(Freshness.NONE.withFailSafe(Duration.ofMillis(1500))));
		Source source = new Source(1);
		assertThat(read(cache, source)).isEqualTo("v1");
		source.failing.set(true);
		awaitSoftExpiry();

		assertThat(read(cache, source)).as("fail-safe").isEqualTo("v1");
		assertThat(cache.stats().failSafeHits()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
			.untilAsserted(() -> assertThatExceptionOfType(ValueRetrievalException.class)
				.isThrownBy(() -> read(cache, source))
				.withRootCauseInstanceOf(IllegalStateException.class));
		source.failing.set(false);
		assertThat(read(cache, source)).isEqualTo("v2");
	}

	@Test
	void failSafeDoesNotHideAnError() {
		TieredCache cache = cache((defaults) -> defaults.withTtl(Duration.ofMillis(200))
			.withTtlJitter(0)
			.withFreshness(Freshness.NONE.withFailSafe(Duration.ofSeconds(30))));
		assertThat(cache.get("k", String.class, () -> "v1")).isEqualTo("v1");
		awaitSoftExpiry();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> cache.get("k", String.class, () -> {
			throw new AssertionError("a broken invariant");
		}));
		assertThat(cache.stats().failSafeHits()).isZero();
	}

	@Test
	void withoutFreshnessAnExpiredEntryIsNotServedAndTheFailureReachesTheCaller() {
		TieredCache cache = cache((defaults) -> defaults.withTtl(Duration.ofMillis(200)).withTtlJitter(0));
		Source source = new Source(1);
		assertThat(read(cache, source)).isEqualTo("v1");
		source.failing.set(true);
		awaitSoftExpiry();
		assertThatExceptionOfType(ValueRetrievalException.class).isThrownBy(() -> read(cache, source));
		assertThat(cache.stats().failSafeHits()).isZero();
	}

	@Test
	void aBackgroundReloadThatFailsIsCountedKeepsTheValueAndLetsTheNextReadTryAgain() {
		TieredCache cache = cache((defaults) -> defaults.withTtl(Duration.ofMillis(300))
			.withTtlJitter(0)
			.withFreshness(Freshness.NONE.withStaleWhileRevalidate(Duration.ofSeconds(30))));
		Source source = new Source(1);
		assertThat(read(cache, source)).isEqualTo("v1");
		source.failing.set(true);
		awaitSoftExpiry();
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			assertThat(read(cache, source)).isEqualTo("v1");
			return cache.stats().refreshFailures() >= 2;
		});
		source.failing.set(false);
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(read(cache, source)));
		assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, "k"))).as("no lease left behind").isNull();
	}

	@Test
	void aReloadTheExecutorRefusesIsDroppedAndCountedAndTheReaderIsServed() {
		Executor refusing = (task) -> {
			throw new RejectedExecutionException("full");
		};
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, (defaults) -> defaults.withTtl(Duration.ofMillis(300))
				.withTtlJitter(0)
				.withFreshness(Freshness.NONE.withStaleWhileRevalidate(Duration.ofSeconds(30))),
					(builder) -> builder.refreshExecutor(refusing))
			.getTieredCache(CACHE);
		Source source = new Source(1);
		assertThat(read(cache, source)).isEqualTo("v1");
		awaitSoftExpiry();
		assertThat(read(cache, source)).isEqualTo("v1");
		assertThat(read(cache, source)).isEqualTo("v1");
		assertThat(cache.stats().refreshesDropped()).as("each read tried, as none is running").isEqualTo(2);
		assertThat(source.onReaderThreads.get()).isEqualTo(1);
	}

	@Test
	void earlyExpiryReloadsBeforeTheTtlWithAProbabilityThatGrowsAsItNears() {
		Freshness xfetch = Freshness.NONE.withEarlyExpiryBeta(1);
		long expiry = 10_000;
		int early = 0;
		int late = 0;
		for (int i = 0; i < 10_000; i++) {
			// an entry that took 1 s to load, read 9 s and 100 ms before it expires
			early += xfetch.dueForRefresh(expiry - 9_000, 0, expiry, 1000) ? 1 : 0;
			late += xfetch.dueForRefresh(expiry - 100, 0, expiry, 1000) ? 1 : 0;
		}
		// P(due) = exp(-gap / (loadMillis * beta)): e^-9 ≈ 0.01 %, e^-0.1 ≈ 90 %
		assertThat(early).isLessThan(30);
		assertThat(late).isBetween(8_700, 9_300);
		assertThat(Freshness.NONE.dueForRefresh(expiry - 1, 0, expiry, 1000)).as("off by default").isFalse();
	}

	/** Waits until an entry written now with the tests' short TTLs counts as expired. */
	private static void awaitSoftExpiry() {
		long written = System.nanoTime();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
			.until(() -> System.nanoTime() - written > TimeUnit.MILLISECONDS.toNanos(350));
	}

}
