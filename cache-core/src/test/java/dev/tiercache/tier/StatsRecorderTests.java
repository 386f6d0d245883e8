package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.tiercache.stats.CacheStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link StatsRecorder} counts and what its {@link CacheStats} snapshot says: zero everywhere for
 * a fresh recorder; each event in its own counter; hits summed over both tiers, values and
 * {@code null}s; misses as seen by a cache with or without L1; load and wait times summed; the load
 * listener called with each load's time; snapshots that do not move; no count lost across threads.
 */
class StatsRecorderTests {

	private final StatsRecorder recorder = new StatsRecorder();

	@Test
	void aFreshRecorderReportsZeroEverywhere() {
		CacheStats stats = this.recorder.snapshot();
		assertThat(stats).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				0, 0, 0, Duration.ZERO, Duration.ZERO, 0));
		assertThat(stats.hits()).isZero();
		assertThat(stats.misses(true)).isZero();
		assertThat(stats.misses(false)).isZero();
	}

	@Test
	void eachEventIsCountedInItsOwnCounter() {
		times(1, () -> this.recorder.localHit(false));
		times(2, () -> this.recorder.localHit(true));
		times(3, this.recorder::localMiss);
		times(4, () -> this.recorder.remoteHit(false));
		times(5, () -> this.recorder.remoteHit(true));
		times(6, this.recorder::remoteMiss);
		times(7, () -> this.recorder.load(1, false));
		times(8, () -> this.recorder.load(1, true));
		times(9, this.recorder::localWait);
		times(10, this.recorder::remoteWait);
		times(11, this.recorder::lockTimeout);
		times(12, this.recorder::leaseLost);
		times(13, this.recorder::remoteError);
		times(14, this.recorder::encodeFailure);
		times(15, this.recorder::decodeFailure);
		times(16, this.recorder::repairDropped);
		times(17, this.recorder::staleHit);
		times(18, this.recorder::failSafeHit);
		times(19, this.recorder::refresh);
		times(20, this.recorder::refreshFailure);
		times(21, this.recorder::refreshDropped);
		times(22, this.recorder::eviction);
		times(23, () -> this.recorder.localWaited(1));
		times(24, () -> this.recorder.remoteWaited(1));
		times(25, this.recorder::loadRejected);
		assertThat(this.recorder.snapshot()).isEqualTo(new CacheStats(1, 2, 3, 4, 5, 6, 15, 8, Duration.ofNanos(15), 9,
				10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, Duration.ofNanos(23), Duration.ofNanos(24), 25));
	}

	@Test
	void hitsAreTheValuesAndNullsEitherTierAnswered() {
		times(1, () -> this.recorder.localHit(false));
		times(2, () -> this.recorder.localHit(true));
		times(4, () -> this.recorder.remoteHit(false));
		times(8, () -> this.recorder.remoteHit(true));
		times(16, this.recorder::localMiss);
		times(32, this.recorder::remoteMiss);
		assertThat(this.recorder.snapshot().hits()).isEqualTo(15);
	}

	@Test
	void missesThroughL1AreTheL1MissesRedisDidNotAnswer() {
		times(10, this.recorder::localMiss);
		times(3, () -> this.recorder.remoteHit(false));
		times(2, () -> this.recorder.remoteHit(true));
		times(4, this.recorder::remoteMiss);
		times(1, this.recorder::remoteError);
		assertThat(this.recorder.snapshot().misses(true)).as("4 Redis misses and 1 failed read").isEqualTo(5);
	}

	@Test
	void missesWithoutL1AreTheRedisMisses() {
		times(3, () -> this.recorder.remoteHit(false));
		times(4, this.recorder::remoteMiss);
		assertThat(this.recorder.snapshot().misses(false)).isEqualTo(4);
	}

	@Test
	void loadsAreCountedWithTheirFailuresAndTheirTimeSummed() {
		this.recorder.load(Duration.ofMillis(30).toNanos(), false);
		this.recorder.load(Duration.ofMillis(12).toNanos(), true);
		CacheStats stats = this.recorder.snapshot();
		assertThat(stats.loads()).isEqualTo(2);
		assertThat(stats.loadFailures()).isEqualTo(1);
		assertThat(stats.totalLoadTime()).isEqualTo(Duration.ofMillis(42));
	}

	@Test
	void waitTimesAreSummedPerTier() {
		this.recorder.localWaited(Duration.ofMillis(5).toNanos());
		this.recorder.localWaited(Duration.ofMillis(7).toNanos());
		this.recorder.remoteWaited(Duration.ofMillis(100).toNanos());
		CacheStats stats = this.recorder.snapshot();
		assertThat(stats.localWaitTime()).isEqualTo(Duration.ofMillis(12));
		assertThat(stats.remoteWaitTime()).isEqualTo(Duration.ofMillis(100));
	}

	@Test
	void theLoadListenerIsHandedTheTimeOfEveryLoadAndALaterOneReplacesIt() {
		List<Long> first = new ArrayList<>();
		List<Long> second = new ArrayList<>();
		this.recorder.onLoad(first::add);
		this.recorder.load(10, false);
		this.recorder.load(20, true);
		this.recorder.onLoad(second::add);
		this.recorder.load(30, false);
		assertThat(first).containsExactly(10L, 20L);
		assertThat(second).containsExactly(30L);
	}

	@Test
	void aSnapshotDoesNotMoveWithTheRecorder() {
		this.recorder.localHit(false);
		CacheStats before = this.recorder.snapshot();
		this.recorder.localHit(false);
		this.recorder.load(5, false);
		assertThat(before.localHits()).isEqualTo(1);
		assertThat(before.loads()).isZero();
		assertThat(this.recorder.snapshot().localHits()).isEqualTo(2);
	}

	@Test
	void noCountIsLostAcrossThreads() {
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			CompletableFuture.allOf(IntStream.range(0, 8).mapToObj((i) -> CompletableFuture.runAsync(() -> {
				for (int j = 0; j < 10_000; j++) {
					this.recorder.localHit(false);
					this.recorder.load(1, false);
				}
			}, threads)).toArray(CompletableFuture[]::new)).join();
		}
		finally {
			threads.shutdownNow();
		}
		CacheStats stats = this.recorder.snapshot();
		assertThat(stats.localHits()).isEqualTo(80_000);
		assertThat(stats.loads()).isEqualTo(80_000);
		assertThat(stats.totalLoadTime()).isEqualTo(Duration.ofNanos(80_000));
	}

	private static void times(int count, Runnable event) {
		for (int i = 0; i < count; i++) {
			event.run();
		}
	}

}
