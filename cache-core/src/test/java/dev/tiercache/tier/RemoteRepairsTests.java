package dev.tiercache.tier;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.TagVersions;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.tracing.CacheTracer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link RemoteRepairs} retries the writes Redis missed once it answers again: spread over the
 * breaker's recovery threads, since the writes do not depend on each other and recovery, which keeps
 * callers from Redis until it ends, would otherwise take one round trip per repair (1,650 repairs took
 * 1.9 s after a cluster failover under load); stopped by a Redis failure, keeping what was not made;
 * stopped by an interrupt, which is kept.
 */
class RemoteRepairsTests {

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private final ExecutorService workers = Executors.newFixedThreadPool(RemoteRepairs.RETRY_LANES);

	private final CacheContext cache = new CacheContext("books", CacheSettings.DEFAULTS, null, new StatsRecorder(),
			TiercacheErrorHandler.logging(), CacheTracer.NONE, new TagVersions("books", null));

	private final RemoteRepairs repairs = new RemoteRepairs(1000, this.scheduler);

	private final AtomicBoolean redisUp = new AtomicBoolean(true);

	private final AtomicInteger attempts = new AtomicInteger();

	private final AtomicInteger made = new AtomicInteger();

	RemoteRepairsTests() {
		// no retry in the background: each test retries when it says
		this.scheduler.shutdown();
	}

	@AfterEach
	void close() {
		this.workers.shutdownNow();
	}

	@Test
	void theRepairsAreMadeAsManyAtOnceAsThereAreLanes() {
		CountDownLatch allStarted = new CountDownLatch(RemoteRepairs.RETRY_LANES);
		for (int i = 0; i < RemoteRepairs.RETRY_LANES; i++) {
			this.repairs.add("key-" + i, this.cache, () -> {
				allStarted.countDown();
				// made only if every other repair is under way at the same time
				if (!await(allStarted)) {
					throw new RemoteCallException("the repairs were made one after the other");
				}
				this.made.incrementAndGet();
			});
		}
		this.repairs.retryNow(this.workers);
		assertThat(this.made).hasValue(RemoteRepairs.RETRY_LANES);

		this.repairs.retryNow(this.workers);
		assertThat(this.made).as("made once, then no longer pending").hasValue(RemoteRepairs.RETRY_LANES);
	}

	@Test
	void aRedisFailureStopsEachLaneAtItsFirstFailureAndTheRepairsStayPending() {
		addRepairs(100);
		this.redisUp.set(false);
		this.repairs.retryNow(this.workers);
		assertThat(this.attempts.get()).as("attempts while Redis fails").isBetween(1, RemoteRepairs.RETRY_LANES);
		assertThat(this.made).hasValue(0);

		this.redisUp.set(true);
		this.repairs.retryNow(this.workers);
		assertThat(this.made).as("every repair, once Redis answers").hasValue(100);
	}

	@Test
	void anInterruptStopsTheRetriesAtOnceKeepsTheInterruptAndLeavesTheRestPending() throws InterruptedException {
		CountDownLatch released = new CountDownLatch(1);
		for (int i = 0; i < 100; i++) {
			this.repairs.add("key-" + i, this.cache, () -> {
				this.attempts.incrementAndGet();
				await(released);
				this.made.incrementAndGet();
			});
		}
		Thread.currentThread().interrupt();
		this.repairs.retryNow(this.workers);
		assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
		assertThat(this.made).as("returned without waiting for the repairs under way").hasValue(0);

		released.countDown();
		this.workers.shutdown();
		assertThat(this.workers.awaitTermination(10, TimeUnit.SECONDS)).as("the repairs under way end").isTrue();
		assertThat(this.attempts.get()).as("repairs begun, at most one per lane").isLessThanOrEqualTo(
				RemoteRepairs.RETRY_LANES);
		this.repairs.retryNow(Runnable::run);
		assertThat(this.made).as("the rest, at the next retry").hasValue(100);
	}

	@Test
	void aRepairRedisRefusesStaysPendingAndStopsNeitherTheOthersNorTheRecovery() {
		for (int i = 0; i < 20; i++) {
			this.repairs.add("key-" + i, this.cache, () -> {
				this.attempts.incrementAndGet();
				throw new RemoteCallException("Redis call failed",
						new RedisCommandExecutionException("OOM command not allowed when used memory > 'maxmemory'."));
			});
		}
		assertThat(this.repairs.retryNow(this.workers)).as("Redis answered every repair").isTrue();
		assertThat(this.attempts).as("repairs tried").hasValue(20);

		this.repairs.retryNow(this.workers);
		assertThat(this.attempts).as("tried again: they are still pending").hasValue(40);
	}

	@Test
	void aRedisFailureMakesTheRetryReportThatRepairsArePending() {
		addRepairs(10);
		this.redisUp.set(false);
		assertThat(this.repairs.retryNow(this.workers)).isFalse();
		this.redisUp.set(true);
		assertThat(this.repairs.retryNow(this.workers)).isTrue();
		assertThat(this.made).hasValue(10);
	}

	@Test
	void onTheCallingThreadTheRepairsAreMadeOneAfterTheOther() {
		addRepairs(20);
		this.repairs.retryNow();
		assertThat(this.made).hasValue(20);
	}

	private void addRepairs(int count) {
		for (int i = 0; i < count; i++) {
			this.repairs.add("key-" + i, this.cache, () -> {
				this.attempts.incrementAndGet();
				if (!this.redisUp.get()) {
					throw new RemoteCallException("Redis is down");
				}
				this.made.incrementAndGet();
			});
		}
	}

	private static boolean await(CountDownLatch latch) {
		try {
			return latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
