package dev.tiercache.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.tiercache.test.EmbeddedRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What {@link RedisCircuitBreaker} promises beyond its state machine's happy path: when it opens (the
 * minimum number of calls, the thresholds), what callers may do while it is open or half-open, how its
 * background probe is chosen, spaced and bounded, what its listeners are told and in which order, and
 * that closing it stops the probing. One test runs it against a real Redis server that is stopped and
 * started again; the others probe through a switch.
 */
class RedisCircuitBreakerProbingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<RedisCircuitBreaker> breakers = new ArrayList<>();

	private final AtomicBoolean redisUp = new AtomicBoolean();

	private final AtomicInteger pings = new AtomicInteger();

	private final Queue<String> events = new ConcurrentLinkedQueue<>();

	@AfterEach
	void close() {
		this.breakers.forEach(RedisCircuitBreaker::close);
	}

	@Test
	void fewerCallsThanTheMinimumNeverOpenTheBreaker() {
		RedisCircuitBreaker breaker = breaker(settings());
		fail(breaker, 3);
		assertThat(breaker.admits()).isTrue();
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
		fail(breaker, 1);
		assertThat(breaker.admits()).isFalse();
	}

	@Test
	void failuresAtTheThresholdOpenTheBreakerAndBelowItDoNot() {
		RedisCircuitBreaker below = breaker(settings());
		fail(below, 1);
		succeed(below, 3, Duration.ofMillis(1));
		assertThat(below.admits()).as("25 %% of the window failed").isTrue();

		RedisCircuitBreaker at = breaker(settings());
		fail(at, 2);
		succeed(at, 2, Duration.ofMillis(1));
		assertThat(at.admits()).as("50 %% of the window failed").isFalse();
	}

	@Test
	void callsFasterThanTheSlowCallThresholdDoNotCountAsSlow() {
		RedisCircuitBreaker breaker = breaker(settings().slowCallDurationThreshold(Duration.ofMillis(200)));
		succeed(breaker, 8, Duration.ofMillis(199));
		assertThat(breaker.admits()).isTrue();
		succeed(breaker, 2, Duration.ofMillis(200));
		succeed(breaker, 2, Duration.ofMillis(5_000));
		assertThat(breaker.admits()).as("half the window at the threshold or slower").isFalse();
	}

	@Test
	void successesRecordedWhileTheBreakerIsOpenDoNotLetCallersIn() {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		fail(breaker, 4);
		// calls that were in flight when it opened, answered late
		succeed(breaker, 20, Duration.ofMillis(1));
		assertThat(breaker.admits()).isFalse();
		await().atMost(WAIT).until(() -> this.pings.get() >= 4);
		assertThat(breaker.admits()).as("only a passing probe closes it").isFalse();
	}

	@Test
	void whileAProbeRunsTheBreakerIsHalfOpenAndCallersStayOut() throws Exception {
		RedisCircuitBreaker breaker = breaker(settings());
		CountDownLatch probing = new CountDownLatch(1);
		CountDownLatch answer = new CountDownLatch(1);
		breaker.probeWith(() -> {
			probing.countDown();
			awaitLatch(answer);
		});
		fail(breaker, 4);
		assertThat(probing.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
		assertThat(breaker.admits()).isFalse();
		answer.countDown();
		await().atMost(WAIT).until(breaker::admits);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void aPassingProbeRoundSendsExactlyThePermittedNumberOfPings() {
		RedisCircuitBreaker breaker = breaker(settings().permittedNumberOfCallsInHalfOpenState(3));
		probeWithTheSwitch(breaker);
		this.redisUp.set(true);
		fail(breaker, 4);
		await().atMost(WAIT).until(breaker::admits);
		assertThat(this.pings).hasValue(3);
	}

	@Test
	void theWaitBeforeEachProbeGrowsWithTheProbesThatFailedAndStartsAgainAfterARecovery() {
		Queue<Integer> attempts = new ConcurrentLinkedQueue<>();
		RedisCircuitBreaker breaker = breaker(settingsWithoutTheWait().waitIntervalFunctionInOpenState((attempt) -> {
			attempts.add(attempt);
			return 10L;
		}));
		probeWithTheSwitch(breaker);
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> attempts.size() >= 4);
		this.redisUp.set(true);
		await().atMost(WAIT).until(breaker::admits);
		// resilience4j asks the function too, with the same attempt, each time the breaker opens
		List<Integer> firstOutage = attempts.stream().distinct().toList();
		assertThat(firstOutage).as("each probe round waits for one more failed round than the last")
			.isEqualTo(IntStream.rangeClosed(1, firstOutage.size()).boxed().toList())
			.hasSizeGreaterThanOrEqualTo(2);
		assertThat(List.copyOf(attempts)).isSorted();

		attempts.clear();
		this.redisUp.set(false);
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> !attempts.isEmpty());
		assertThat(attempts.peek()).as("a new outage").isEqualTo(1);
	}

	@Test
	void theFirstProbeThatWasNotRemovedIsTheOneUsed() {
		RedisCircuitBreaker breaker = breaker(settings());
		AtomicInteger removed = new AtomicInteger();
		AtomicInteger kept = new AtomicInteger();
		RedisCircuitBreaker.Probe first = removed::incrementAndGet;
		breaker.probeWith(first);
		breaker.probeWith(kept::incrementAndGet);
		breaker.removeProbe(first);
		fail(breaker, 4);
		await().atMost(WAIT).until(breaker::admits);
		assertThat(removed).hasValue(0);
		assertThat(kept.get()).isPositive();
	}

	@Test
	void withoutAProbeTheBreakerStaysOpenAndClosesOnceOneIsRegistered() {
		RedisCircuitBreaker breaker = breaker(settings());
		AtomicInteger reopened = new AtomicInteger();
		breaker.circuitBreaker().getEventPublisher().onStateTransition((event) -> {
			if (event.getStateTransition() == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
				reopened.incrementAndGet();
			}
		});
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> reopened.get() >= 2);
		assertThat(breaker.admits()).isFalse();
		this.redisUp.set(true);
		probeWithTheSwitch(breaker);
		await().atMost(WAIT).until(breaker::admits);
	}

	@Test
	void listenersAreToldOfTheStopOnceAndOfTheResumeAfterTheRecoveryActions() {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		breaker.listen(recording());
		breaker.onRecovery(() -> this.events.add("recovery"));
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> this.pings.get() >= 6);
		fail(breaker, 8);
		this.redisUp.set(true);
		await().atMost(WAIT).until(breaker::admits);
		await().atMost(WAIT).until(() -> this.events.contains("resumed"));
		assertThat(this.events).containsExactly("stopped", "recovery", "resumed");
	}

	@Test
	void theRecoveryThreadsCallRedisInParallelWhileTheRecoveryActionsRunAndAreRefusedOnceTheyEnd() throws Exception {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		int tasks = RedisCircuitBreaker.RECOVERY_THREADS;
		CountDownLatch allRunning = new CountDownLatch(tasks);
		AtomicInteger admitted = new AtomicInteger();
		breaker.onRecovery(() -> {
			CompletableFuture<?>[] running = IntStream.range(0, tasks)
				.mapToObj((task) -> CompletableFuture.runAsync(() -> {
					allRunning.countDown();
					// every task waits for the others: they only all finish if they run at once
					awaitLatch(allRunning);
					if (breaker.admits()) {
						admitted.incrementAndGet();
					}
				}, breaker.recoveryExecutor()))
				.toArray(CompletableFuture[]::new);
			CompletableFuture.allOf(running).join();
		});
		fail(breaker, 4);
		assertThat(breaker.admits()).as("a caller while the breaker is open").isFalse();
		this.redisUp.set(true);
		await().atMost(WAIT).until(breaker::admits);
		assertThat(admitted).as("recovery tasks admitted").hasValue(tasks);

		this.redisUp.set(false);
		fail(breaker, 10);
		assertThat(breaker.admits()).isFalse();
		assertThat(CompletableFuture.supplyAsync(breaker::admits, breaker.recoveryExecutor()).get(10, TimeUnit.SECONDS))
			.as("a recovery thread while no recovery runs").isFalse();
	}

	@Test
	void probeNowProbesAtOnceWhileAProbeWaitsAndDoesNothingOtherwise() {
		RedisCircuitBreaker breaker = breaker(settingsWithoutTheWait().waitDurationInOpenState(Duration.ofMinutes(5)));
		probeWithTheSwitch(breaker);
		breaker.probeNow();
		assertThat(this.pings).as("pings while the breaker is closed").hasValue(0);

		fail(breaker, 10);
		assertThat(breaker.admits()).isFalse();
		breaker.probeNow();
		await("the probe, long before the wait ends").atMost(WAIT).until(() -> this.pings.get() > 0);
		assertThat(breaker.admits()).as("the probe failed").isFalse();

		this.redisUp.set(true);
		breaker.probeNow();
		await().atMost(WAIT).until(breaker::admits);
	}

	@Test
	void probeNowWhileAProbeRunsStartsNoSecondProbeAndTheRecoveryRunsOnce() {
		RedisCircuitBreaker breaker = breaker(settingsWithoutTheWait().waitDurationInOpenState(Duration.ofMinutes(5)));
		CountDownLatch probing = new CountDownLatch(1);
		CountDownLatch released = new CountDownLatch(1);
		breaker.probeWith(() -> {
			if (this.pings.incrementAndGet() == 1) {
				probing.countDown();
				awaitLatch(released);
			}
		});
		breaker.listen(recording());
		breaker.onRecovery(() -> this.events.add("recovery"));
		fail(breaker, 10);
		breaker.probeNow();
		awaitLatch(probing);
		// the probe runs: this must not start another
		breaker.probeNow();
		released.countDown();
		await().atMost(WAIT).until(() -> this.events.contains("resumed"));
		breaker.probeNow();
		assertThat(breaker.circuitBreaker().getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState())
			.isEqualTo(this.pings.get());
		assertThat(this.events).containsExactly("stopped", "recovery", "resumed");
	}

	/** Redis failed again while the missed writes were made, or the action hit an {@link Error}. */
	static Stream<Throwable> recoveryFailures() {
		return Stream.of(new IllegalStateException("Redis failed again while the missed writes were made"),
				new OutOfMemoryError("unable to create native thread"));
	}

	@ParameterizedTest
	@MethodSource("recoveryFailures")
	void aRecoveryActionThatFailsKeepsCallersOutUntilItSucceedsAfterTheNextProbe(Throwable failure) {
		RedisCircuitBreaker breaker = breaker(settingsWithoutTheWait().waitDurationInOpenState(Duration.ofMillis(50)));
		probeWithTheSwitch(breaker);
		AtomicInteger recoveries = new AtomicInteger();
		breaker.onRecovery(() -> {
			if (recoveries.incrementAndGet() == 1) {
				throwUnchecked(failure);
			}
		});
		this.redisUp.set(true);
		fail(breaker, 10);
		await().atMost(WAIT).until(breaker::admits);
		assertThat(recoveries).as("recoveries: the first failed, so callers waited for a second").hasValue(2);
	}

	private static void throwUnchecked(Throwable failure) {
		if (failure instanceof Error error) {
			throw error;
		}
		throw (RuntimeException) failure;
	}

	@Test
	void theOutageReportedLastsAtLeastTheWaitInTheOpenState() {
		RedisCircuitBreaker breaker = breaker(settingsWithoutTheWait().waitDurationInOpenState(Duration.ofMillis(300)));
		probeWithTheSwitch(breaker);
		this.redisUp.set(true);
		Queue<Duration> outages = new ConcurrentLinkedQueue<>();
		breaker.listen(new RedisCircuitBreaker.Listener() {

			@Override
			public void stopped() {
			}

			@Override
			public void resumed(Duration outage) {
				outages.add(outage);
			}

		});
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> !outages.isEmpty());
		assertThat(outages).singleElement().satisfies((outage) -> assertThat(outage).isGreaterThanOrEqualTo(Duration.ofMillis(300)));
	}

	@Test
	void aListenerThatThrowsDoesNotKeepTheOthersFromBeingTold() {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		this.redisUp.set(true);
		breaker.listen(new RedisCircuitBreaker.Listener() {

			@Override
			public void stopped() {
				throw new IllegalStateException("a broken listener");
			}

			@Override
			public void resumed(Duration outage) {
				throw new IllegalStateException("a broken listener");
			}

		});
		breaker.listen(recording());
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> this.events.contains("resumed"));
		assertThat(this.events).containsExactly("stopped", "resumed");
		assertThat(breaker.admits()).isTrue();
	}

	@Test
	void failuresRecordedOnManyThreadsAtOnceStopCallersOnce() throws Exception {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		breaker.listen(recording());
		int threads = 8;
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> callers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread caller = new Thread(() -> {
				awaitLatch(start);
				fail(breaker, 500);
			});
			caller.start();
			callers.add(caller);
		}
		start.countDown();
		for (Thread caller : callers) {
			caller.join(WAIT.toMillis());
			assertThat(caller.isAlive()).isFalse();
		}
		assertThat(breaker.admits()).isFalse();
		assertThat(this.events).containsExactly("stopped");
	}

	@Test
	void aClosedBreakerProbesNoMore() {
		RedisCircuitBreaker breaker = breaker(settings());
		probeWithTheSwitch(breaker);
		fail(breaker, 4);
		await().atMost(WAIT).until(() -> this.pings.get() >= 2);
		breaker.close();
		int afterClose = this.pings.get();
		await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> this.pings.get() == afterClose);
	}

	@Test
	void aDisabledBreakerNeverProbes() {
		RedisCircuitBreaker disabled = RedisCircuitBreaker.disabled();
		this.breakers.add(disabled);
		probeWithTheSwitch(disabled);
		fail(disabled, 100);
		assertThat(disabled.state()).isEqualTo(CircuitBreaker.State.DISABLED);
		await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> this.pings.get() == 0);
		assertThat(disabled.admits()).isTrue();
	}

	@Test
	void aStoppedRedisOpensTheBreakerAndItsRestartClosesItAfterTheRecovery() {
		RedisCircuitBreaker breaker = breaker(RedisCircuitBreaker.defaults()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.waitDurationInOpenState(Duration.ofMillis(100)));
		breaker.listen(recording());
		breaker.onRecovery(() -> this.events.add("recovery"));
		try (EmbeddedRedis server = EmbeddedRedis.start()) {
			RedisClient client = RedisClient.create(RedisURI.builder()
				.withHost("127.0.0.1")
				.withPort(server.port())
				.withTimeout(Duration.ofMillis(500))
				.build());
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				breaker.probeWith(() -> connection.sync().ping());
				int answered = 0;
				for (int i = 0; i < 10; i++) {
					answered += call(breaker, connection) ? 1 : 0;
				}
				assertThat(answered).isEqualTo(10);
				server.stop();
				int refused = 0;
				for (int i = 0; i < 20 && breaker.admits(); i++) {
					refused += call(breaker, connection) ? 0 : 1;
				}
				assertThat(breaker.admits()).isFalse();
				assertThat(refused).as("calls made before it opened").isBetween(2, 4);
				assertThat(this.events).containsExactly("stopped");
				server.restart();
				await().atMost(Duration.ofSeconds(30)).until(breaker::admits);
				assertThat(this.events).containsExactly("stopped", "recovery", "resumed");
				assertThat(call(breaker, connection)).isTrue();
			}
			finally {
				client.shutdown();
			}
		}
	}

	/** A call that goes through the breaker as Tiercache's Redis calls do; whether Redis answered. */
	private static boolean call(RedisCircuitBreaker breaker, StatefulRedisConnection<String, String> connection) {
		if (!breaker.admits()) {
			return false;
		}
		long started = System.nanoTime();
		try {
			connection.sync().get("a key");
			breaker.succeeded(System.nanoTime() - started);
			return true;
		}
		catch (RuntimeException ex) {
			breaker.failed(System.nanoTime() - started, ex);
			return false;
		}
	}

	private static CircuitBreakerConfig.Builder settings() {
		return settingsWithoutTheWait().waitDurationInOpenState(Duration.ofMillis(20));
	}

	/** resilience4j refuses a builder whose wait in the open state was set twice. */
	private static CircuitBreakerConfig.Builder settingsWithoutTheWait() {
		return RedisCircuitBreaker.defaults()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.permittedNumberOfCallsInHalfOpenState(2);
	}

	private RedisCircuitBreaker breaker(CircuitBreakerConfig.Builder settings) {
		RedisCircuitBreaker breaker = new RedisCircuitBreaker(settings.build());
		this.breakers.add(breaker);
		return breaker;
	}

	private void probeWithTheSwitch(RedisCircuitBreaker breaker) {
		breaker.probeWith(() -> {
			this.pings.incrementAndGet();
			if (!this.redisUp.get()) {
				throw new IllegalStateException("Redis down");
			}
		});
	}

	private RedisCircuitBreaker.Listener recording() {
		return new RedisCircuitBreaker.Listener() {

			@Override
			public void stopped() {
				RedisCircuitBreakerProbingTests.this.events.add("stopped");
			}

			@Override
			public void resumed(Duration outage) {
				RedisCircuitBreakerProbingTests.this.events.add("resumed");
			}

		};
	}

	private static void fail(RedisCircuitBreaker breaker, int calls) {
		for (int i = 0; i < calls; i++) {
			breaker.failed(TimeUnit.MILLISECONDS.toNanos(250), new IllegalStateException("timed out"));
		}
	}

	private static void succeed(RedisCircuitBreaker breaker, int calls, Duration each) {
		for (int i = 0; i < calls; i++) {
			breaker.succeeded(each.toNanos());
		}
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
