package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.writebehind.Ledger.Row;
import dev.tiercache.writebehind.LedgerRows.HeldWrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an instance's drain does with the write-behind partitions it owns: it gives up at once a
 * partition no flush of which runs, and keeps one whose call (a database write) still runs until that
 * call returned, however it returns: another instance taking the partition over meanwhile would apply
 * the call's entry and newer ones of its key, and the older call could land over them. Two instances
 * ({@link LedgerInstance}) of one application on the shared Redis; the first drains
 * ({@link WriteBehindQueues#stop()}, the first step of closing its context), with a call that ignores
 * the drain's interrupt and outlives its {@code drain-timeout} (2 s). Their leases last 30 s, so what
 * happens within {@link #PROMPTLY} was not a lease running out.
 *
 * <p>Also what the drain does with the rest: a partition whose flush a passing Redis failure stopped is
 * flushed again until it is empty, and the entry of a call the drain interrupted, which then returned,
 * is acknowledged, so that the next owner does not apply it again; and closing the queues waits for
 * the drain, even on an interrupted thread.
 */
class PartitionDrainTests {

	private static final long ID = 7;

	private static final Row V1 = new Row(ID, 1, "in the drained instance's call");

	private static final Row V2 = new Row(ID, 2, "queued while that call runs");

	private static final Duration PROMPTLY = Duration.ofSeconds(15);

	private final String prefix = TestRedis.uniquePrefix();

	private final LedgerRows rows = new LedgerRows();

	private final List<LedgerInstance> instances = new ArrayList<>();

	/** The category of the queue's failures ({@link QueueFailures}), held so that its level stays set. */
	private final Logger queueLog = Logger.getLogger(WriteBehindQueue.class.getName());

	private final Level queueLogLevel = this.queueLog.getLevel();

	private final List<LogRecord> queueFailures = new CopyOnWriteArrayList<>();

	private final Handler queueFailureRecorder = new Handler() {

		@Override
		public void publish(LogRecord record) {
			if (record.getMessage() != null && record.getMessage().contains(" could not ")) {
				PartitionDrainTests.this.queueFailures.add(record);
			}
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	@AfterEach
	void close() {
		this.rows.release();
		for (int i = this.instances.size() - 1; i >= 0; i--) {
			this.instances.get(i).close();
		}
		this.queueLog.removeHandler(this.queueFailureRecorder);
		this.queueLog.setLevel(this.queueLogLevel);
	}

	private LedgerInstance instance() {
		LedgerInstance instance = new LedgerInstance(this.prefix, TestRedis.connectionFactory(), this.rows,
				CacheSettings.DEFAULTS, LedgerInstance.writeBehind(Durability.MEMORY), UnaryOperator.identity());
		this.instances.add(instance);
		return instance;
	}

	/**
	 * An instance without a circuit breaker in front of Redis: on a loaded machine, slow calls would open
	 * it and fail the calls these tests need (a write refused, a drain flush cut short).
	 */
	private LedgerInstance instance(LettuceConnectionFactory redis, WriteBehindSettings writeBehind) {
		LedgerInstance instance = new LedgerInstance(this.prefix, redis, this.rows, CacheSettings.DEFAULTS, writeBehind,
				(manager) -> manager.redisBreaker(null));
		this.instances.add(instance);
		return instance;
	}

	/** The tests' settings ({@link LedgerInstance#writeBehind}) with one partition and a drain of 30 s. */
	private static WriteBehindSettings onePartitionDrainedFor30Seconds() {
		return onePartitionDrainedFor30Seconds(LedgerInstance.writeBehind(Durability.MEMORY).claimIdle());
	}

	/**
	 * Like {@link #onePartitionDrainedFor30Seconds()}, with leases that run out {@code claimIdle} after their
	 * last renewal.
	 */
	private static WriteBehindSettings onePartitionDrainedFor30Seconds(Duration claimIdle) {
		WriteBehindSettings base = LedgerInstance.writeBehind(Durability.MEMORY);
		return new WriteBehindSettings(base.batchSize(), base.flushInterval(), base.concurrency(), 1,
				base.maxAttempts(), base.backoff(), base.maxBackoff(), claimIdle, Duration.ofSeconds(30),
				base.durability(), base.durabilityReplicas(), base.durabilityTimeout());
	}

	@Test
	void aCallStillRunningWhenItsInstanceDrainsKeepsThePartitionUntilItReturns() {
		LedgerInstance other = drainWhileTheCallOfV1Runs(null);

		this.rows.release();

		awaitQueueEmpty(other);
		// v1 lands once, or again if the drained instance could not acknowledge it; never after v2
		assertThat(this.rows.versions(ID)).isIn(List.of(1L, 2L), List.of(1L, 1L, 2L));
		assertThat(this.rows.get(ID)).isEqualTo(V2);
	}

	@Test
	void aCallThatThrowsAnErrorAfterItsInstanceDrainedGivesThePartitionUp() {
		LedgerInstance other = drainWhileTheCallOfV1Runs(new InternalError("thrown by the held call"));

		this.rows.release();

		awaitQueueEmpty(other);
		assertThat(this.rows.versions(ID)).as("v1 applied by the other instance, then v2").containsExactly(1L, 2L);
		assertThat(this.rows.get(ID)).isEqualTo(V2);
	}

	@Test
	void aDrainedInstanceGivesItsIdlePartitionsUpAtOnce() {
		LedgerInstance drained = instance();
		drained.ledger().save(V1);
		await().atMost(PROMPTLY).until(() -> this.rows.versions(ID).equals(List.of(1L)));
		drained.queues().stop();
		LedgerInstance other = instance();

		other.ledger().save(V2);

		awaitQueueEmpty(other);
		assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
	}

	/**
	 * The drained instance never owned the partition: another instance held it when this one started
	 * (its flushes of a partition can also wait behind those of busier ones until the drain begins), and
	 * the balancing that would take it once free does not run again for an hour. That lease has run out
	 * when the drain begins: the drain takes the partition and applies its entry, rather than leave it for
	 * an instance that may never come.
	 */
	@Test
	void aDrainTakesAndFlushesAPartitionNoInstanceHolds() {
		heldByAnotherInstanceFor(Duration.ofSeconds(2));
		LedgerInstance drained = instance(TestRedis.connectionFactory(), onePartitionBalancedHourly());
		drained.ledger().save(V1);
		await("the other instance's lease ran out").atMost(PROMPTLY).until(this::leaseRanOut);
		assertThat(this.rows.versions(ID)).as("not applied while the partition was another instance's").isEmpty();

		drained.queues().stop();

		assertThat(this.rows.versions(ID)).as("applied by the drain").containsExactly(1L);
		assertThat(streamLength()).as("entries left in the queue").isZero();
	}

	/**
	 * Another instance holds the partition for a minute: the drain leaves it (and its entry) to that
	 * instance, without asking for it again until its {@code drain-timeout} (30 s) runs out.
	 */
	@Test
	void aDrainLeavesAPartitionAnotherInstanceHoldsWithoutWaitingForIt() {
		heldByAnotherInstanceFor(Duration.ofMinutes(1));
		LedgerInstance drained = instance(TestRedis.connectionFactory(), onePartitionBalancedHourly());
		drained.ledger().save(V1);

		long started = System.nanoTime();
		drained.queues().stop();
		Duration drainTook = Duration.ofNanos(System.nanoTime() - started);

		assertThat(drainTook).as("the drain, with nothing of its own to flush").isLessThan(Duration.ofSeconds(15));
		assertThat(this.rows.versions(ID)).as("left to the partition's owner").isEmpty();
		assertThat(streamLength()).as("entries left in the queue").isOne();
	}

	/** {@link #onePartitionDrainedFor30Seconds()}, balanced once at start-up and then not for an hour. */
	private static WriteBehindSettings onePartitionBalancedHourly() {
		WriteBehindSettings base = onePartitionDrainedFor30Seconds();
		return new WriteBehindSettings(base.batchSize(), Duration.ofHours(1), base.concurrency(), 1,
				base.maxAttempts(), base.backoff(), base.maxBackoff(), base.claimIdle(), base.drainTimeout(),
				base.durability(), base.durabilityReplicas(), base.durabilityTimeout());
	}

	/** Makes the partition's lease another instance's, until {@code duration} from now by Redis's clock. */
	private void heldByAnotherInstanceFor(Duration duration) {
		LettuceConnectionFactory redis = TestRedis.connectionFactory();
		try (RedisConnection connection = redis.getConnection()) {
			long until = connection.serverCommands().time() + duration.toMillis();
			connection.hashCommands()
				.hMSet(partitionLease(), Map.of(QueueKeys.ascii("token"), QueueKeys.ascii("another-instance:1:0.0"),
						QueueKeys.ascii("until"), QueueKeys.ascii(until)));
		}
		finally {
			redis.destroy();
		}
	}

	/** Whether the partition's lease has run out, by Redis's clock. */
	private boolean leaseRanOut() {
		LettuceConnectionFactory redis = TestRedis.connectionFactory();
		try (RedisConnection connection = redis.getConnection()) {
			byte[] until = connection.hashCommands().hGet(partitionLease(), QueueKeys.ascii("until"));
			return until != null && Long.parseLong(new String(until, StandardCharsets.US_ASCII)) < connection
				.serverCommands().time();
		}
		finally {
			redis.destroy();
		}
	}

	private byte[] partitionLease() {
		return new QueueKeys(new RedisKeys(this.prefix), LedgerInstance.CACHE, 1).lease(0);
	}

	@Test
	void aCallTheDrainInterruptsIsAcknowledgedSoNoOtherInstanceAppliesItAgain() {
		LedgerInstance drained = instance(TestRedis.connectionFactory(), LedgerInstance.writeBehind(Durability.MEMORY));
		HeldWrite call = this.rows.holdWriteOfUntilInterrupted(ID);
		drained.ledger().save(V1);
		call.awaitHeld();

		// past its drain-timeout the drain halts and interrupts the call, which writes v1 and returns with its
		// thread's flag set; the acknowledgment that follows must still reach Redis
		drained.queues().stop();
		LedgerInstance other = instance(TestRedis.connectionFactory(), LedgerInstance.writeBehind(Durability.MEMORY));
		other.ledger().save(V2);

		awaitQueueEmpty(other);
		assertThat(this.rows.versions(ID)).as("v1 applied once, by the drained instance, then v2")
			.containsExactly(1L, 2L);
	}

	/**
	 * Redis (behind a proxy) stops answering for a moment while the drain runs, and one call of the
	 * drain's flush times out: the confirmation of the lease before a call in the middle of a batch (a
	 * timed-out acknowledgment would be sent again until Redis answers, and not stop the flush). The
	 * flush stops, leaving the rest of its batch; the drain flushes the partition again once Redis
	 * answers, well before its {@code drain-timeout} (30 s), until it is empty.
	 */
	@Test
	void aDrainFlushesAgainAPartitionWhoseFlushARedisTimeoutStoppedUntilItIsEmpty() throws Exception {
		this.queueLog.setLevel(Level.FINE);
		this.queueLog.addHandler(this.queueFailureRecorder);
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance drained = instance(TestRedis.connectionFactory(TestRedis.host(), proxy.port()),
					onePartitionDrainedFor30Seconds());
			HeldWrite first = this.rows.holdWriteOf(1);
			drained.ledger().save(new Row(1, 1, "alone in its batch"));
			first.awaitHeld();
			for (long id = 2; id <= 10; id++) {
				drained.ledger().save(new Row(id, 1, "queued in one batch"));
			}
			HeldWrite second = this.rows.holdWriteOf(2);
			first.release();
			second.awaitHeld();
			// the flush is in the first call of batch 2..10; Redis stops answering, and the drain starts
			proxy.blackHole();
			CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> drained.queues().stop());
			await().atMost(PROMPTLY).until(() -> !drained.queues().isRunning());
			// the lease's last confirmation is old enough for the next call to ask Redis for it
			await().atMost(PROMPTLY)
				.until(() -> second.heldFor().compareTo(OwnerLease.CONFIRMATION.multipliedBy(2)) > 0);
			second.release();

			await("a Redis call of the drained instance's flush failed").atMost(PROMPTLY)
				.until(() -> this.queueFailures.stream()
					.anyMatch((failure) -> failure.getLongThreadID() == second.holderId()));
			proxy.restore();
			drain.get(60, TimeUnit.SECONDS);

			for (long id = 1; id <= 10; id++) {
				assertThat(this.rows.versions(id)).as("writes of row %d", id).containsExactly(1L);
			}
			assertThat(drained.stats().depth()).as("entries left in the queue").isZero();
		}
	}

	/**
	 * Redis goes away while the queue holds entries (the call of the first is held, four more wait
	 * behind it), and the circuit breaker opens: the drain flushes nothing while it stays open, and ends
	 * once it has for {@code claim-idle} (2 s; the leases have run out), instead of waiting out its
	 * {@code drain-timeout} (30 s), leaving the entries queued. Another instance applies them, each once
	 * but for the held call's entry, which the drained instance applied and could not acknowledge.
	 */
	@Test
	void aDrainEndsOnceTheBreakerHasKeptCallsFromRedisForClaimIdleAndLeavesTheEntriesQueued() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance drained = fiveQueuedAndTheBreakerOpen(proxy);

			long started = System.nanoTime();
			drained.queues().stop();
			Duration drainTook = Duration.ofNanos(System.nanoTime() - started);

			assertThat(drainTook).as("the drain, with Redis unreachable").isLessThan(Duration.ofSeconds(15));
			proxy.restore();
			LedgerInstance other = instance(TestRedis.connectionFactory(), onePartitionDrainedFor30Seconds(
					Duration.ofSeconds(2)));
			await("the other instance applied the entries left").atMost(PROMPTLY).ignoreExceptions()
				.until(() -> other.stats().depth() == 0 && this.rows.versions(5).size() == 1);
			assertThat(this.rows.versions(1)).as("writes of the held row").isIn(List.of(1L), List.of(1L, 1L));
			for (long id = 2; id <= 5; id++) {
				assertThat(this.rows.versions(id)).as("writes of row %d", id).containsExactly(1L);
			}
		}
	}

	/**
	 * The breaker is open when the drain starts, and Redis comes back at once: the drain waits for the
	 * breaker to let calls through again (within {@code claim-idle}, 2 s here; it looks at the breaker
	 * again after each shortest backoff), then flushes the partition until it is empty. No other instance
	 * runs: what the drain left would not be applied.
	 */
	@Test
	void aDrainGoesOnOnceABreakerThatWasOpenForAMomentLetsCallsThroughAgain() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance drained = fiveQueuedAndTheBreakerOpen(proxy);

			CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> drained.queues().stop());
			proxy.restore();
			drain.get(60, TimeUnit.SECONDS);

			for (long id = 2; id <= 5; id++) {
				assertThat(this.rows.versions(id)).as("writes of row %d", id).containsExactly(1L);
			}
			assertThat(streamLength()).as("entries left in the queue").isZero();
		}
	}

	/**
	 * An instance on Redis behind {@code proxy}, with one partition, a drain of 30 s and leases of 2 s,
	 * whose breaker opens on failed calls only (on a loaded machine slow calls would open it early): rows
	 * 1 to 5 are queued there, the call of row 1 held until it is released; then the proxy is cut, reads
	 * fail until the breaker opens, and row 1's call is released.
	 */
	private LedgerInstance fiveQueuedAndTheBreakerOpen(TcpProxy proxy) {
		LedgerInstance instance = new LedgerInstance(this.prefix,
				TestRedis.connectionFactory(TestRedis.host(), proxy.port()), this.rows, CacheSettings.DEFAULTS,
				onePartitionDrainedFor30Seconds(Duration.ofSeconds(2)), (manager) -> manager.redisBreaker(
						RedisCircuitBreaker.defaults().slowCallDurationThreshold(Duration.ofMinutes(1)).build()));
		this.instances.add(instance);
		HeldWrite first = this.rows.holdWriteOf(1);
		instance.ledger().save(new Row(1, 1, "held in its call"));
		first.awaitHeld();
		for (long id = 2; id <= 5; id++) {
			instance.ledger().save(new Row(id, 1, "queued behind it"));
		}
		proxy.cut();
		await("reads failing until the breaker opens").atMost(PROMPTLY).until(() -> {
			instance.cache().get("a read that fails");
			return !instance.breaker().admits();
		});
		first.release();
		return instance;
	}

	/**
	 * The thread that closes the queues is interrupted while a drain runs (a call of v1 in it, v2 queued
	 * behind): {@code close()} still waits for the drain before it closes the connection, so the drain
	 * applies and acknowledges both, and the thread's interrupt is kept.
	 */
	@Test
	void aCloseInterruptedWhileTheQueueDrainsStillWaitsForTheDrainBeforeClosingTheConnection() throws Exception {
		LedgerInstance drained = instance(TestRedis.connectionFactory(), onePartitionDrainedFor30Seconds());
		HeldWrite call = this.rows.holdWriteOf(ID);
		drained.ledger().save(V1);
		call.awaitHeld();
		drained.ledger().save(V2);
		AtomicBoolean interruptKept = new AtomicBoolean();
		Thread closer = new Thread(() -> {
			drained.queues().close();
			interruptKept.set(Thread.currentThread().isInterrupted());
		}, "closer");
		closer.start();
		await().atMost(PROMPTLY).until(() -> !drained.queues().isRunning());

		closer.interrupt();

		await("close() waiting for the drain").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
			.until(closer::isAlive);
		call.release();
		closer.join(PROMPTLY.toMillis());
		assertThat(closer.isAlive()).as("close() returned").isFalse();
		assertThat(this.rows.versions(ID)).as("both applied by the drained instance").containsExactly(1L, 2L);
		assertThat(streamLength()).as("entries left in the queue").isZero();
		assertThat(interruptKept).as("the closing thread's interrupt kept").isTrue();
	}

	private long streamLength() {
		LettuceConnectionFactory redis = TestRedis.connectionFactory();
		try (RedisConnection connection = redis.getConnection()) {
			Long length = connection.streamCommands()
				.xLen(new QueueKeys(new RedisKeys(this.prefix), LedgerInstance.CACHE, 1).stream(0));
			return (length != null) ? length : 0;
		}
		finally {
			redis.destroy();
		}
	}

	/**
	 * Queues {@link #V1} on a first instance and holds its call; starts a second instance and queues
	 * {@link #V2} there; drains the first; and checks that, for a while after the drain, no instance
	 * applies anything of the key.
	 * @param thrown what the held call throws once released, or {@code null} if it writes v1
	 * @return the second instance
	 */
	private LedgerInstance drainWhileTheCallOfV1Runs(@Nullable Error thrown) {
		LedgerInstance drained = instance();
		this.rows.holdNextFlush(thrown);
		drained.ledger().save(V1);
		this.rows.awaitHeldFlush();
		LedgerInstance other = instance();
		other.ledger().save(V2);

		drained.queues().stop();

		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.rows.versions(ID))
				.as("writes of the key applied while the drained instance's call of v1 runs")
				.isEmpty());
		return other;
	}

	private static void awaitQueueEmpty(LedgerInstance instance) {
		await("the queue applied, before a lease kept by the drained instance could run out").atMost(PROMPTLY)
			.ignoreExceptions()
			.until(() -> instance.stats().depth() == 0 && instance.stats().deadLetters() == 0);
	}

}
