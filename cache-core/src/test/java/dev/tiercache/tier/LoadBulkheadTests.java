package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TestManagers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, cache penetration: a load of random unique keys (each a miss everywhere) from 32 threads,
 * with a bulkhead of 4 concurrent loads per cache: the "database" never sees more than 4 loads at once,
 * the callers past the bound fail fast with {@link BulkheadFullException} (counted as
 * {@code loadsRejected}), and readers of hot keys are served from L1 throughout, without a load or an
 * error. Without the bulkhead the same load runs more than 4 loads at once. Likewise with a cap of 20
 * new keys per second: the "database" sees at most 20 loads per second, the callers past it fail fast
 * with {@link RequestNotPermitted}, and hot keys stay served.
 */
class LoadBulkheadTests {

	private static final int ATTACKERS = 32;

	private static final int MAX_CONCURRENT_LOADS = 4;

	private static final int KEYS_EACH = 20;

	private static final int NEW_KEYS_PER_SECOND = 20;

	private final TestManagers managers = new TestManagers();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.threads.shutdownNow();
		this.managers.close();
	}

	@Test
	void aFloodOfUniqueKeysRunsAtMostTheBoundOfLoadsAtOnceAndHotKeysStayServed() throws Exception {
		BulkheadConfig bound = BulkheadConfig.custom()
			.maxConcurrentCalls(MAX_CONCURRENT_LOADS)
			.maxWaitDuration(Duration.ZERO)
			.build();
		TieredCacheManager manager = this.managers.redis((builder) -> builder.loadBulkheads(
				(cache) -> cache.equals("books") ? bound : null), CacheSettings.DEFAULTS, "books");
		Flood flood = flood(manager.getTieredCache("books"));

		assertThat(flood.mostAtOnce).as("loads running at once").hasValueLessThanOrEqualTo(MAX_CONCURRENT_LOADS);
		assertThat(flood.rejected).as("callers refused").hasPositiveValue();
		assertThat(manager.getTieredCache("books").stats().loadsRejected()).isEqualTo(flood.rejected.get());
		assertThat(flood.otherErrors).hasValue(0);
		assertThat(flood.hotReads).as("hot reads").hasValueGreaterThan(100);
		assertThat(flood.hotLoads).as("hot keys loaded during the flood").hasValue(0);
	}

	@Test
	void withoutABulkheadTheSameFloodRunsMoreLoadsAtOnce() throws Exception {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "books");
		Flood flood = flood(manager.getTieredCache("books"));
		assertThat(flood.mostAtOnce).hasValueGreaterThan(MAX_CONCURRENT_LOADS);
		assertThat(flood.rejected).hasValue(0);
		assertThat(flood.loads).as("every unique key loaded").hasValue(ATTACKERS * KEYS_EACH);
	}

	@Test
	void aCapOnNewKeysPerSecondBoundsTheFloodsLoadsAndHotKeysStayServed() throws Exception {
		RateLimiterConfig cap = RateLimiterConfig.custom()
			.limitForPeriod(NEW_KEYS_PER_SECOND)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.build();
		TieredCacheManager manager = this.managers.redis(
				(builder) -> builder.newKeyLimits((cache) -> cache.equals("books") ? cap : null),
				CacheSettings.DEFAULTS, "books");
		long started = System.nanoTime();
		Flood flood = flood(manager.getTieredCache("books"));
		long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + 1;

		// a period's permits, in each period the flood reached (the first may be under way when it starts)
		assertThat(flood.loads).as("keys loaded in %d s", seconds)
			.hasValueLessThanOrEqualTo((int) (NEW_KEYS_PER_SECOND * (seconds + 1)));
		assertThat(flood.rejected).as("callers refused").hasPositiveValue();
		assertThat(manager.getTieredCache("books").stats().loadsRejected()).isEqualTo(flood.rejected.get());
		assertThat(flood.otherErrors).hasValue(0);
		assertThat(flood.hotReads).as("hot reads").hasValueGreaterThan(100);
		assertThat(flood.hotLoads).as("hot keys loaded during the flood").hasValue(0);
	}

	/** 32 threads read 20 unique keys each while a thread reads 10 hot keys loaded before. */
	private Flood flood(TieredCache cache) throws Exception {
		Flood flood = new Flood();
		for (int key = 0; key < 10; key++) {
			cache.get("hot-" + key, () -> "hot");
		}
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> attackers = new ArrayList<>();
		for (int i = 0; i < ATTACKERS; i++) {
			attackers.add(this.threads.submit(() -> {
				start.await();
				for (int n = 0; n < KEYS_EACH; n++) {
					try {
						cache.get(UUID.randomUUID().toString(), () -> flood.load());
					}
					catch (BulkheadFullException | RequestNotPermitted ex) {
						flood.rejected.incrementAndGet();
					}
					catch (RuntimeException ex) {
						flood.otherErrors.incrementAndGet();
					}
				}
				return null;
			}));
		}
		Future<?> hotReader = this.threads.submit(() -> {
			start.await();
			while (!attackers.stream().allMatch(Future::isDone)) {
				String key = "hot-" + ThreadLocalRandom.current().nextInt(10);
				String value = cache.get(key, () -> {
					flood.hotLoads.incrementAndGet();
					return "hot";
				});
				if (!"hot".equals(value)) {
					flood.otherErrors.incrementAndGet();
				}
				flood.hotReads.incrementAndGet();
			}
			return null;
		});
		start.countDown();
		for (Future<?> attacker : attackers) {
			attacker.get(60, TimeUnit.SECONDS);
		}
		hotReader.get(10, TimeUnit.SECONDS);
		return flood;
	}

	/** What the flood did: the database's concurrency, the refusals and the hot reads. */
	private static final class Flood {

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger loads = new AtomicInteger();

		final AtomicInteger mostAtOnce = new AtomicInteger();

		final AtomicInteger rejected = new AtomicInteger();

		final AtomicInteger otherErrors = new AtomicInteger();

		final AtomicInteger hotReads = new AtomicInteger();

		final AtomicInteger hotLoads = new AtomicInteger();

		/** A database read of 20 ms, counting how many run at once. */
		String load() throws InterruptedException {
			this.loads.incrementAndGet();
			int now = this.running.incrementAndGet();
			this.mostAtOnce.accumulateAndGet(now, Math::max);
			try {
				Thread.sleep(20);
				return "loaded";
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

}
