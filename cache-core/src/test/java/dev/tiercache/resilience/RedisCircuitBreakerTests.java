package dev.tiercache.resilience;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The breaker's own state machine: when it stops callers, how its background probe brings them back,
 * and that every way out of a probe or a recovery leaves it probing rather than stuck. Its use against
 * a real Redis is in {@code RedisOutageTests}; here the probe is a switch.
 */
class RedisCircuitBreakerTests {

	private final RedisCircuitBreaker breaker = new RedisCircuitBreaker(RedisCircuitBreaker.defaults()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.waitDurationInOpenState(Duration.ofMillis(20))
		.permittedNumberOfCallsInHalfOpenState(2)
		.build());

	private final AtomicBoolean redisUp = new AtomicBoolean();

	private final AtomicInteger probes = new AtomicInteger();

	@AfterEach
	void close() {
		this.breaker.close();
	}

	private void probeWithTheSwitch() {
		this.breaker.probeWith(() -> {
			this.probes.incrementAndGet();
			if (!this.redisUp.get()) {
				throw new IllegalStateException("Redis down");
			}
		});
	}

	private void failRepeatedly() {
		for (int i = 0; i < 4; i++) {
			this.breaker.failed(TimeUnit.MILLISECONDS.toNanos(250), new IllegalStateException("timed out"));
		}
	}

	@Test
	void repeatedFailuresStopCallersUntilAProbePassesAndTheRecoveryRan() {
		probeWithTheSwitch();
		AtomicBoolean admittedOnTheRecoveringThread = new AtomicBoolean();
		CompletableFuture<Boolean> admittedElsewhereDuringRecovery = new CompletableFuture<>();
		this.breaker.onRecovery(() -> {
			admittedOnTheRecoveringThread.set(this.breaker.admits());
			admittedElsewhereDuringRecovery.complete(CompletableFuture.supplyAsync(this.breaker::admits).join());
		});
		assertThat(this.breaker.admits()).isTrue();

		failRepeatedly();
		assertThat(this.breaker.admits()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.probes.get() >= 3);
		assertThat(this.breaker.admits()).as("while the probes fail").isFalse();

		this.redisUp.set(true);
		await().atMost(Duration.ofSeconds(5)).until(this.breaker::admits);
		assertThat(this.breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(admittedOnTheRecoveringThread).as("the recovery may call Redis").isTrue();
		assertThat(admittedElsewhereDuringRecovery).as("callers may not, until it is done").isCompletedWithValue(false);
	}

	@Test
	void slowCallsStopCallersAsFailuresDo() {
		probeWithTheSwitch();
		for (int i = 0; i < 4; i++) {
			this.breaker.succeeded(TimeUnit.MILLISECONDS.toNanos(240));
		}
		assertThat(this.breaker.admits()).isFalse();
	}

	@Test
	void aProbeThatThrowsAnErrorLeavesTheBreakerOpenAndProbingAgain() {
		AtomicInteger calls = new AtomicInteger();
		this.breaker.probeWith(() -> {
			if (calls.incrementAndGet() == 1) {
				throw new AssertionError("a probe that fails hard");
			}
		});
		failRepeatedly();
		await().atMost(Duration.ofSeconds(5)).until(this.breaker::admits);
		assertThat(calls.get()).isGreaterThanOrEqualTo(3);
	}

	@Test
	void aRecoveryThatFindsRedisFailingAgainKeepsCallersOutAndProbesAgain() {
		probeWithTheSwitch();
		this.redisUp.set(true);
		AtomicInteger recoveries = new AtomicInteger();
		this.breaker.onRecovery(() -> {
			if (recoveries.incrementAndGet() == 1) {
				failRepeatedly();
			}
		});
		failRepeatedly();
		await().atMost(Duration.ofSeconds(5)).until(this.breaker::admits);
		assertThat(recoveries.get()).as("the first recovery did not admit callers").isEqualTo(2);
	}

	@Test
	void aRecoveryActionThatThrowsDoesNotStopTheOthersAndCallersWaitUntilItSucceeds() {
		probeWithTheSwitch();
		this.redisUp.set(true);
		AtomicInteger firstRuns = new AtomicInteger();
		AtomicInteger secondRuns = new AtomicInteger();
		this.breaker.onRecovery(() -> {
			if (firstRuns.incrementAndGet() == 1) {
				throw new IllegalStateException("replay failed");
			}
		});
		this.breaker.onRecovery(secondRuns::incrementAndGet);
		failRepeatedly();
		await().atMost(Duration.ofSeconds(10)).until(this.breaker::admits);
		assertThat(firstRuns).as("runs of the action that failed once").hasValue(2);
		assertThat(secondRuns).as("runs of the other, which the failure did not stop").hasValue(2);
	}

	@Test
	void aDisabledBreakerAdmitsEveryCall() {
		RedisCircuitBreaker disabled = RedisCircuitBreaker.disabled();
		for (int i = 0; i < 100; i++) {
			disabled.failed(1, new IllegalStateException("down"));
		}
		assertThat(disabled.admits()).isTrue();
		disabled.close();
	}

}
