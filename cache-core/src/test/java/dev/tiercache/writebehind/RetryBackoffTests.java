package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link RetryBackoff}: how long a retry round waits, and that a wait ends when the queue halts.
 */
class RetryBackoffTests {

	private static final int SAMPLES = 500;

	private final FlushGate gate = new FlushGate();

	@Test
	void delayDoublesPerRoundAndLiesBetweenHalfAndAllOfIt() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofMinutes(1), this.gate);
		for (int round = 1; round <= 6; round++) {
			long full = 100L << (round - 1);
			for (int i = 0; i < SAMPLES; i++) {
				assertThat(backoff.delayMillis(round)).as("round %d", round).isBetween(full / 2, full);
			}
		}
	}

	@Test
	void delayIsCappedAtMaxBackoffHoweverManyRoundsFailed() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), this.gate);
		for (int round : new int[] { 6, 31, 64, Integer.MAX_VALUE }) {
			for (int i = 0; i < SAMPLES; i++) {
				assertThat(backoff.delayMillis(round)).as("round %d", round).isBetween(1_000L, 2_000L);
			}
		}
	}

	@Test
	void delayIsJitteredSoInstancesRetryingTogetherSpreadOut() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), this.gate);
		assertThat(IntStream.range(0, SAMPLES).mapToLong((i) -> backoff.delayMillis(1)).distinct().count())
			.isGreaterThan(SAMPLES / 4);
	}

	@Test
	void aBackoffUnderAMillisecondWaitsAtMostOne() {
		RetryBackoff backoff = new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1), this.gate);
		for (int i = 0; i < SAMPLES; i++) {
			assertThat(backoff.delayMillis(1)).isBetween(0L, 1L);
		}
	}

	@Test
	void pauseEndsAtOnceWhenTheQueueHalts() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofHours(1), Duration.ofHours(1), this.gate);
		CompletableFuture<Boolean> paused = CompletableFuture.supplyAsync(() -> backoff.pause(1));
		this.gate.halt();
		await().atMost(Duration.ofSeconds(5)).until(paused::isDone);
		assertThat(paused.join()).as("went on after the halt").isFalse();
	}

	@Test
	void pauseOnAHaltedQueueDoesNotWait() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofHours(1), Duration.ofHours(1), this.gate);
		this.gate.halt();
		assertThat(backoff.pause(1)).isFalse();
	}

	@Test
	void pauseWaitsOutTheDelayWhileTheQueueRuns() {
		RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1), this.gate);
		assertThat(backoff.pause(1)).isTrue();
	}

}
