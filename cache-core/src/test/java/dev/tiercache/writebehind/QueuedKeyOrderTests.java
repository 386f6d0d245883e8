package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.interceptor.TiercacheInterceptor;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestTransactions;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.Ledger.Row;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * A key with queued write-behind entries is never written around them (issue 16, item 1). Each test
 * queues {@code v1} of a key while the flusher holds its writes, then makes a call {@code v2} of the
 * key that cannot be queued as a cache put, and checks the order in which the writes reached the
 * database, what the database ends with, and what reads return. Real Redis (the shared one, a TCP
 * proxy in front of it, or a primary and a replica of their own); the instances are Spring contexts
 * wired as an application without Spring Boot wires them.
 */
class QueuedKeyOrderTests {

	private static final long ID = 7;

	private static final Row V0 = new Row(ID, 0, "before the test");

	private static final Row V1 = new Row(ID, 1, "queued first");

	private final String prefix = TestRedis.uniquePrefix();

	private final LedgerRows rows = new LedgerRows();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		this.rows.release();
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
	}

	private LedgerInstance instance(CacheSettings settings, UnaryOperator<TieredCacheManager.Builder> manager) {
		return instance(TestRedis.connectionFactory(), settings, Durability.MEMORY, manager);
	}

	private LedgerInstance instance(LettuceConnectionFactory redis, CacheSettings settings, Durability durability,
			UnaryOperator<TieredCacheManager.Builder> manager) {
		LedgerInstance instance = new LedgerInstance(this.prefix, redis, this.rows, settings,
				LedgerInstance.writeBehind(durability), manager);
		this.closeables.add(instance);
		return instance;
	}

	private LedgerInstance instance() {
		return instance(CacheSettings.DEFAULTS, UnaryOperator.identity());
	}

	/** Queues {@link #V1} of the key, with {@link #V0} in the database, and waits until the flusher holds it. */
	private void queueV1AndHoldIt(LedgerInstance instance) throws InterruptedException {
		this.rows.put(V0);
		this.rows.holdFlushes();
		instance.ledger().save(V1);
		this.rows.awaitHeldFlush();
	}

	/** Lets the flusher go on, and waits until the queue is empty. */
	private void releaseAndDrain(LedgerInstance instance) {
		this.rows.release();
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
			.until(() -> instance.stats().depth() == 0 && instance.stats().deadLetters() == 0);
	}

	private static Row large(long version) {
		return new Row(ID, version, "x".repeat(4096));
	}

	// ---- values the cache cannot hold are queued, with the key deleted

	@Test
	void aValueOverMaxValueSizeIsQueuedBehindOlderWritesOfItsKeyAndNoInstanceReadsTheOlderOne() throws Exception {
		LedgerInstance writer = instance(CacheSettings.DEFAULTS, (builder) -> builder.maxValueBytes(1024));
		LedgerInstance reader = instance(CacheSettings.DEFAULTS, (builder) -> builder.maxValueBytes(1024));
		queueV1AndHoldIt(writer);
		assertThat(reader.ledger().find(ID)).as("the queued value, kept in the reader's L1").isEqualTo(V1);

		writer.ledger().save(large(2));

		assertThat(this.rows.log(ID)).as("nothing written around the queued v1").isEmpty();
		assertThat(writer.stats().enqueued()).isEqualTo(2);
		assertThat(writer.stats().synchronousWrites()).isZero();
		assertThat(writer.ledger().find(ID)).as("the database's row, not the older queued value").isEqualTo(V0);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(reader.ledger().find(ID)).as("dropped from the reader's L1").isEqualTo(V0));
		releaseAndDrain(writer);
		assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
		assertThat(this.rows.get(ID)).extracting(Row::version).isEqualTo(2L);
		assertThat(writer.ledger().find(ID)).extracting(Row::version).isEqualTo(2L);
		assertThat(reader.ledger().find(ID)).extracting(Row::version).isEqualTo(2L);
	}

	@Test
	void aKeyCachedWhileAWriteTheCacheCannotHoldIsQueuedIsEvictedOnceTheWriteIsApplied() throws Exception {
		LedgerInstance instance = instance(CacheSettings.DEFAULTS, (builder) -> builder.maxValueBytes(1024));
		queueV1AndHoldIt(instance);
		instance.ledger().save(large(2));
		// as a plain @Cacheable read would store the row it read from the database before the flush
		instance.cache().put(ID, V0, Row.class);
		assertThat(instance.ledger().find(ID)).isEqualTo(V0);

		releaseAndDrain(instance);
		assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
		assertThat(instance.ledger().find(ID)).as("the row cached before the write was applied is gone")
			.extracting(Row::version).isEqualTo(2L);
	}

	@Test
	void aValueTheCodecCannotEncodeIsQueuedBehindOlderWritesOfItsKey() throws Exception {
		LedgerInstance instance = instance();
		queueV1AndHoldIt(instance);
		Row v2 = new Row(ID, 2, "cached as an opaque value");

		instance.ledger().saveOpaque(v2);

		assertThat(this.rows.log(ID)).isEmpty();
		assertThat(instance.stats().synchronousWrites()).isZero();
		assertThat(instance.ledger().find(ID)).isEqualTo(V0);
		releaseAndDrain(instance);
		assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
		assertThat(this.rows.get(ID)).isEqualTo(v2);
		assertThat(instance.ledger().find(ID)).isEqualTo(v2);
	}

	@Test
	void aNullThatIsNotCachedIsQueuedBehindOlderWritesOfItsKey() throws Exception {
		LedgerInstance instance = instance(CacheSettings.DEFAULTS.withNullTtl(Duration.ZERO), UnaryOperator.identity());
		queueV1AndHoldIt(instance);

		instance.ledger().delete(ID);

		assertThat(this.rows.log(ID)).isEmpty();
		assertThat(instance.stats().enqueued()).isEqualTo(2);
		assertThat(instance.stats().synchronousWrites()).isZero();
		assertThat(instance.ledger().find(ID)).as("the database's row, not the older queued value").isEqualTo(V0);
		releaseAndDrain(instance);
		assertThat(this.rows.versions(ID)).containsExactly(1L, LedgerRows.DELETED);
		assertThat(this.rows.get(ID)).isNull();
		assertThat(instance.ledger().find(ID)).isNull();
	}

	// ---- calls that cannot be queued run only while no write of their key is

	@Test
	void aCallWhoseArgumentsCannotBeEncodedIsRefusedWhileAWriteOfItsKeyIsQueued() throws Exception {
		LedgerInstance instance = instance();
		queueV1AndHoldIt(instance);

		WriteBehindUnavailableException refused = catchThrowableOfType(WriteBehindUnavailableException.class,
				() -> instance.ledger().saveNoted(new Row(ID, 2, "noted"), new Ledger.Opaque()));

		assertThat(refused).isNotNull();
		assertThat(refused.mayHaveBeenQueued()).isFalse();
		assertThat(refused.cacheName()).isEqualTo("ledger");
		assertThat(refused.key()).isEqualTo(ID);
		assertThat(refused.getMessage()).contains("Ledger#saveNoted", "key '7'", "cache 'ledger'",
				"cannot encode its arguments", "an older write of its key is queued");
		assertThat(this.rows.log(ID)).isEmpty();
		assertThat(instance.stats().refused()).isEqualTo(1);
		assertThat(instance.stats().synchronousWrites()).isZero();
		releaseAndDrain(instance);
		assertThat(this.rows.versions(ID)).containsExactly(1L);
		assertThat(this.rows.get(ID)).isEqualTo(V1);
	}

	@Test
	void aCallWhoseArgumentsCannotBeEncodedRunsSynchronouslyWhenNoWriteOfItsKeyIsQueued() {
		LedgerInstance instance = instance();
		this.rows.put(V0);
		assertThat(instance.ledger().find(ID)).isEqualTo(V0);
		Row v1 = new Row(ID, 1, "noted");

		instance.ledger().saveNoted(v1, new Ledger.Opaque());

		assertThat(this.rows.log(ID)).singleElement()
			.satisfies((applied) -> assertThat(applied.thread()).isEqualTo(Thread.currentThread().getName()));
		assertThat(instance.stats().synchronousWrites()).isEqualTo(1);
		assertThat(instance.stats().refused()).isZero();
		assertThat(instance.ledger().find(ID)).as("the key was evicted, so the new row is loaded").isEqualTo(v1);
	}

	// ---- Redis cannot take the entry: refused, never written around

	@Test
	void whenRedisIsCutOffACallIsRefusedAndNothingIsWrittenAroundTheQueuedWritesOfItsKey() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance instance = instance(TestRedis.connectionFactory("127.0.0.1", proxy.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			queueV1AndHoldIt(instance);
			proxy.cut();

			WriteBehindUnavailableException refused = catchThrowableOfType(WriteBehindUnavailableException.class,
					() -> instance.ledger().save(new Row(ID, 2, "not queued")));

			assertThat(refused).isNotNull();
			assertThat(refused.getMessage()).contains("key '7'", "cache 'ledger'", "The method was not run");
			assertThat(this.rows.log(ID)).as("nothing written around the queued v1").isEmpty();
			proxy.restore();
			releaseAndDrain(instance);
			// the client may have buffered the entry and sent it once reconnected: then it is applied after v1
			List<Long> applied = this.rows.versions(ID).stream().distinct().toList();
			assertThat(applied).isIn(List.of(1L), List.of(1L, 2L));
			if (!refused.mayHaveBeenQueued()) {
				assertThat(applied).containsExactly(1L);
			}
			assertThat(this.rows.get(ID)).extracting(Row::version).isEqualTo(applied.get(applied.size() - 1));
			assertThat(instance.stats().refused()).isEqualTo(1);
			assertThat(instance.stats().synchronousWrites()).isZero();
			instance.close();
		}
	}

	@Test
	void whileTheBreakerIsOpenACallIsRefusedAtOnceAsCertainlyNotQueued() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance instance = instanceWithBreaker(proxy);
			queueV1AndHoldIt(instance);
			openBreaker(instance, proxy);

			long started = System.nanoTime();
			WriteBehindUnavailableException refused = catchThrowableOfType(WriteBehindUnavailableException.class,
					() -> instance.ledger().save(new Row(ID, 2, "not queued")));

			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no wait for Redis")
				.isLessThan(Duration.ofMillis(200));
			assertThat(refused).isNotNull();
			assertThat(refused.mayHaveBeenQueued()).isFalse();
			assertThat(refused.getMessage()).contains("Tiercache did not queue", "Retry the call later");
			assertThat(this.rows.log(ID)).isEmpty();
			proxy.restore();
			releaseAndDrain(instance);
			assertThat(this.rows.versions(ID)).containsOnly(1L);
			assertThat(this.rows.get(ID)).isEqualTo(V1);
			instance.close();
		}
	}

	/** An instance behind the proxy whose breaker opens after two failed calls (slow ones do not count). */
	private LedgerInstance instanceWithBreaker(TcpProxy proxy) {
		return instance(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CacheSettings.DEFAULTS,
				Durability.MEMORY,
				(builder) -> builder.redisBreaker(RedisCircuitBreaker.defaults()
					.slidingWindowSize(2)
					.minimumNumberOfCalls(2)
					.slowCallDurationThreshold(Duration.ofSeconds(5))
					.build()));
	}

	/** Black-holes Redis until reads of other keys opened the instance's breaker. */
	private static void openBreaker(LedgerInstance instance, TcpProxy proxy) {
		proxy.blackHole();
		long other = 1000;
		while (instance.breaker().admits()) {
			instance.ledger().find(other++);
		}
	}

	@Test
	void aCallThatTimedOutMayHaveBeenQueuedAndIsThenAppliedInOrder() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance instance = instance(TestRedis.connectionFactory("127.0.0.1", proxy.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			queueV1AndHoldIt(instance);
			proxy.blackHole();

			WriteBehindUnavailableException refused = catchThrowableOfType(WriteBehindUnavailableException.class,
					() -> instance.ledger().save(new Row(ID, 2, "sent, not answered")));

			assertThat(refused).isNotNull();
			assertThat(refused.mayHaveBeenQueued()).isTrue();
			assertThat(refused.getMessage()).contains("Tiercache cannot confirm that it queued",
					"may still be applied");
			assertThat(this.rows.log(ID)).isEmpty();
			proxy.restore();
			releaseAndDrain(instance);
			// the proxy delivers what it held: the entry was queued after all, and applied after v1
			assertThat(this.rows.versions(ID).stream().distinct().toList()).containsExactly(1L, 2L);
			assertThat(this.rows.get(ID)).extracting(Row::version).isEqualTo(2L);
			instance.close();
		}
	}

	@Test
	void aCallMadeBeforeTheNamespaceVersionWasReadReadsItAndIsQueued() throws Exception {
		LedgerInstance first = instance();
		queueV1AndHoldIt(first);
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			proxy.cut();
			LedgerInstance starting = instance(TestRedis.connectionFactory("127.0.0.1", proxy.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			proxy.restore();
			// a call that joins a connection attempt made while cut fails with it: wait until one succeeded
			await("the starting instance connected").atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> starting.stats().depth() == 1);
			Row v2 = new Row(ID, 2, "queued by an instance that just started");

			starting.ledger().save(v2);

			assertThat(this.rows.log(ID)).isEmpty();
			assertThat(starting.stats().enqueued()).isEqualTo(1);
			assertThat(starting.stats().synchronousWrites()).isZero();
			releaseAndDrain(first);
			assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
			assertThat(this.rows.get(ID)).isEqualTo(v2);
			starting.close();
		}
	}

	// ---- durability not confirmed: the entry is queued; the call waits for it to be applied

	@Test
	void aCallWhoseDurabilityRedisDoesNotConfirmIsNeverRunAroundOlderQueuedWrites() throws Exception {
		try (EmbeddedRedis primary = EmbeddedRedis.start();
				EmbeddedRedis replica = EmbeddedRedis.replicaOf(primary.port())) {
			awaitReplicas(primary, 1);
			LedgerInstance instance = instance(TestRedis.connectionFactory("127.0.0.1", primary.port()),
					CacheSettings.DEFAULTS, Durability.REPLICA, UnaryOperator.identity());
			queueV1AndHoldIt(instance);
			replica.stop();
			awaitReplicas(primary, 0);

			WriteBehindUnavailableException refused = catchThrowableOfType(WriteBehindUnavailableException.class,
					() -> instance.ledger().save(new Row(ID, 2, "queued, not replicated")));

			assertThat(refused).isNotNull();
			assertThat(refused.mayHaveBeenQueued()).isTrue();
			assertThat(refused.getMessage()).contains("did not confirm it on 1 replica(s)", "nor was it applied");
			assertThat(this.rows.log(ID)).as("not run around the queued v1").isEmpty();
			releaseAndDrain(instance);
			assertThat(this.rows.versions(ID)).containsExactly(1L, 2L);
			assertThat(instance.stats().synchronousWrites()).isZero();
			instance.close();
		}
	}

	@Test
	void aCallWhoseDurabilityRedisDoesNotConfirmReturnsOnceAFlusherAppliedIt() throws Exception {
		try (EmbeddedRedis primary = EmbeddedRedis.start()) {
			LedgerInstance instance = instance(TestRedis.connectionFactory("127.0.0.1", primary.port()),
					CacheSettings.DEFAULTS, Durability.REPLICA, UnaryOperator.identity());
			Row v1 = new Row(ID, 1, "queued, not replicated");

			instance.ledger().save(v1);

			assertThat(this.rows.log(ID)).as("applied before the call returned").singleElement()
				.satisfies((applied) -> assertThat(applied.thread()).startsWith("tiercache-writebehind-ledger-"));
			assertThat(instance.stats().enqueued()).isEqualTo(1);
			assertThat(instance.stats().synchronousWrites()).isZero();
			assertThat(instance.stats().refused()).isZero();
			instance.close();
		}
	}

	@Test
	void aCallWaitingForItsEntryIsRefusedAsPossiblyQueuedWhenTheEntryLeftWithAPrimaryThatLostItsDataset()
			throws Exception {
		try (EmbeddedRedis primary = EmbeddedRedis.start(); EmbeddedRedis other = EmbeddedRedis.start()) {
			LedgerInstance instance = new LedgerInstance(this.prefix,
					TestRedis.connectionFactory("127.0.0.1", primary.port()), this.rows, CacheSettings.DEFAULTS,
					// under the connection's 5 s command timeout, which a WAIT of 5 s overran on a loaded machine
					LedgerInstance.writeBehind(Durability.REPLICA, Duration.ofSeconds(3)), UnaryOperator.identity());
			this.closeables.add(instance);
			this.rows.holdFlushes();
			ExecutorService caller = Executors.newSingleThreadExecutor();
			this.closeables.add(caller::shutdownNow);
			Future<?> call = caller.submit(() -> instance.ledger().save(V1));
			this.rows.awaitHeldFlush();
			// no replica answers the call's WAIT; once it timed out, the call looks for its entry, which the
			// held flush keeps in the stream
			await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients(primary) == 1);
			await().atMost(Duration.ofSeconds(20)).until(() -> blockedClients(primary) == 0);

			replaceDataset(primary, other);

			Throwable refused = catchThrowableOfType(ExecutionException.class, () -> call.get(20, TimeUnit.SECONDS))
				.getCause();
			assertThat(refused).isInstanceOfSatisfying(WriteBehindUnavailableException.class,
					(unavailable) -> assertThat(unavailable.mayHaveBeenQueued()).isTrue());
			assertThat(refused.getMessage()).contains("the Redis primary changed since (a failover)",
					"lost with the old primary");
		}
	}

	/**
	 * Makes {@code primary} drop its dataset for the one of {@code other}, as an old primary does when a
	 * failover makes it a replica of the new one, and then a primary again: its replication id changes.
	 */
	private static void replaceDataset(EmbeddedRedis primary, EmbeddedRedis other) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", primary.port());
		try (RedisConnection connection = factory.getConnection()) {
			connection.serverCommands().replicaOf("127.0.0.1", other.port());
			await().atMost(Duration.ofSeconds(20)).until(() -> "up".equals(
					connection.serverCommands().info("replication").getProperty("master_link_status")));
			connection.serverCommands().replicaOfNoOne();
		}
		finally {
			factory.destroy();
		}
	}

	private static int blockedClients(EmbeddedRedis redis) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", redis.port());
		try (RedisConnection connection = factory.getConnection()) {
			Properties info = connection.serverCommands().info("clients");
			return Integer.parseInt(info.getProperty("blocked_clients", "-1"));
		}
		finally {
			factory.destroy();
		}
	}

	private static void awaitReplicas(EmbeddedRedis primary, int replicas) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", primary.port());
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				try (RedisConnection connection = factory.getConnection()) {
					Properties info = connection.serverCommands().info("replication");
					return info != null && Integer.parseInt(info.getProperty("connected_slaves", "0")) == replicas;
				}
			});
		}
		finally {
			factory.destroy();
		}
	}

	// ---- an entry Redis hands back after it was applied

	@Test
	void afterAFailoverToAReplicaThatMissedAnAppliedEntrysAcknowledgementNeitherTheDatabaseNorACacheGoesBack()
			throws Exception {
		try (EmbeddedRedis primary = EmbeddedRedis.start(); EmbeddedRedis other = EmbeddedRedis.start()) {
			LedgerInstance writer = instance(TestRedis.connectionFactory("127.0.0.1", primary.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			this.rows.holdFlushes();
			writer.ledger().save(V1);
			this.rows.awaitHeldFlush();
			// what a replica holds that missed the rest: v1 cached and queued, read by the flusher, not acknowledged
			Map<String, byte[]> replicaDataset = dumpAll(primary);
			releaseAndDrain(writer);
			writer.ledger().save(new Row(ID, 2, "queued second"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.rows.versions(ID).equals(List.of(1L, 2L)) && writer.stats().depth() == 0);

			restoreAll(other, replicaDataset);
			replaceDataset(primary, other);

			// the writer, which remembers applying v1, settles what Redis handed back; an instance started before
			// it did could claim v1 once it is idle long enough and, knowing nothing of it, apply it again (the
			// documented limit of a failover that loses acknowledged writes), which is not what this test is about
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> writer.stats().depth() == 0 && versionRead(writer) == 2);
			LedgerInstance reader = instance(TestRedis.connectionFactory("127.0.0.1", primary.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> versionRead(reader) == 2);
			assertThat(this.rows.versions(ID)).as("v1 is not applied again over v2").containsExactly(1L, 2L);
		}
	}

	@Test
	void entriesHandedBackAfterAFailoverAreNotAppliedAgainThroughTheBatchMethod() throws Exception {
		long first = 21;
		long second = 22;
		long blocker = 23;
		WriteBehindSettings onePartition = onePartition(LedgerInstance.writeBehind(Durability.MEMORY));
		try (EmbeddedRedis primary = EmbeddedRedis.start(); EmbeddedRedis other = EmbeddedRedis.start()) {
			LedgerInstance writer = new LedgerInstance(this.prefix,
					TestRedis.connectionFactory("127.0.0.1", primary.port()), this.rows, CacheSettings.DEFAULTS,
					onePartition, UnaryOperator.identity());
			this.closeables.add(writer);
			this.rows.holdFlushes();
			writer.ledger().save(new Row(blocker, 1, "held"));
			this.rows.awaitHeldFlush();
			writer.ledger().saveInBatches(new Row(first, 1, "batched"));
			writer.ledger().saveInBatches(new Row(second, 1, "batched"));
			// what a replica holds that missed the rest: both calls queued, not yet read
			Map<String, byte[]> replicaDataset = dumpAll(primary);
			releaseAndDrain(writer);
			writer.ledger().saveInBatches(new Row(first, 2, "newer"));
			writer.ledger().saveInBatches(new Row(second, 2, "newer"));
			await().atMost(Duration.ofSeconds(20)).until(() -> writer.stats().depth() == 0
					&& this.rows.versions(first).equals(List.of(1L, 2L))
					&& this.rows.versions(second).equals(List.of(1L, 2L)));

			restoreAll(other, replicaDataset);
			replaceDataset(primary, other);

			await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> writer.stats().depth() == 0
					&& writer.stats().deadLetters() == 0);
			assertThat(this.rows.versions(first)).as("no older write applied again").containsExactly(1L, 2L);
			assertThat(this.rows.versions(second)).as("no older write applied again").containsExactly(1L, 2L);
		}
	}

	@Test
	void aDeadLetterHandedBackAfterAFailoverIsMovedToTheDeadLettersAgainNotApplied() throws Exception {
		try (EmbeddedRedis primary = EmbeddedRedis.start(); EmbeddedRedis other = EmbeddedRedis.start()) {
			LedgerInstance writer = instance(TestRedis.connectionFactory("127.0.0.1", primary.port()),
					CacheSettings.DEFAULTS, Durability.MEMORY, UnaryOperator.identity());
			this.rows.holdFlushes();
			this.rows.refuseWritesOf(ID);
			writer.ledger().save(V1);
			this.rows.awaitHeldFlush();
			// what a replica holds that missed the rest: v1 queued, read by the flusher, not yet settled
			Map<String, byte[]> replicaDataset = dumpAll(primary);
			this.rows.release();
			await().atMost(Duration.ofSeconds(20)).until(() -> writer.stats().deadLetters() == 1);
			this.rows.acceptWritesOf(ID);
			writer.ledger().save(new Row(ID, 2, "queued second"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.rows.versions(ID).equals(List.of(2L)) && writer.stats().depth() == 0);

			restoreAll(other, replicaDataset);
			replaceDataset(primary, other);

			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> writer.stats().depth() == 0 && writer.stats().deadLetters() == 1);
			assertThat(this.rows.versions(ID)).as("v1, a dead letter, is not applied over v2").containsExactly(2L);
		}
	}

	private static WriteBehindSettings onePartition(WriteBehindSettings settings) {
		return new WriteBehindSettings(settings.batchSize(), settings.flushInterval(), settings.concurrency(), 1,
				settings.maxAttempts(), settings.backoff(), settings.maxBackoff(), settings.claimIdle(),
				settings.drainTimeout(), settings.durability(), settings.durabilityReplicas(),
				settings.durabilityTimeout());
	}

	private static long versionRead(LedgerInstance instance) {
		Row row = instance.ledger().find(ID);
		return (row != null) ? row.version() : -1;
	}

	private static Map<String, byte[]> dumpAll(EmbeddedRedis redis) {
		try (StatefulRedisConnection<String, byte[]> connection = connect(redis)) {
			Map<String, byte[]> dumps = new HashMap<>();
			connection.sync().keys("*").forEach((key) -> dumps.put(key, connection.sync().dump(key)));
			return dumps;
		}
	}

	private static void restoreAll(EmbeddedRedis redis, Map<String, byte[]> dumps) {
		try (StatefulRedisConnection<String, byte[]> connection = connect(redis)) {
			dumps.forEach((key, dump) -> connection.sync().restore(key, dump, RestoreArgs.Builder.ttl(0).replace()));
		}
	}

	private static StatefulRedisConnection<String, byte[]> connect(EmbeddedRedis redis) {
		return RedisClient.create("redis://127.0.0.1:" + redis.port())
			.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
	}

	// ---- after commit

	@Test
	void aCallRefusedAfterItsTransactionCommittedIsLoggedAndNotWrittenAround() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LedgerInstance instance = instanceWithBreaker(proxy);
			queueV1AndHoldIt(instance);
			openBreaker(instance, proxy);
			List<LogRecord> errors = refuseAfterCommit(instance, new Row(ID, 2, "committed, not queued"));

			assertThat(errors).singleElement()
				.satisfies((error) -> assertThat(error.getMessage()).contains(
						"A transaction committed, but its @WriteBehind write is not applied", "Ledger#save", "key '7'",
						"cache 'ledger'"));
			assertThat(this.rows.log(ID)).as("nothing written around the queued v1").isEmpty();
			proxy.restore();
			releaseAndDrain(instance);
			assertThat(this.rows.versions(ID)).containsOnly(1L);
			assertThat(instance.stats().refused()).isEqualTo(1);
			instance.close();
		}
	}

	/** Saves the row in a transaction, and returns the errors logged about the call. */
	private static List<LogRecord> refuseAfterCommit(LedgerInstance instance, Row row) {
		List<LogRecord> errors = new CopyOnWriteArrayList<>();
		Logger logger = Logger.getLogger(TiercacheInterceptor.class.getPackageName() + ".WriteBehindOperation");
		Handler handler = new Handler() {

			@Override
			public void publish(LogRecord record) {
				if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
					errors.add(record);
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		logger.addHandler(handler);
		try {
			TestTransactions.template()
				.executeWithoutResult((status) -> instance.ledger().save(row));
		}
		finally {
			logger.removeHandler(handler);
		}
		return errors;
	}

}
