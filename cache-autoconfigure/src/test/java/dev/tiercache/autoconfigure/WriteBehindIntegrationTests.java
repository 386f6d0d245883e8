package dev.tiercache.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.autoconfigure.actuate.TiercacheEndpoint;
import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.DeadLetter;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.tier.TiercacheEvent.WriteDeadLettered;
import dev.tiercache.writebehind.WriteBehindStats;
import dev.tiercache.writebehind.WriteBehindUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, {@code @WriteBehind}: against the shared Redis and a real PostgreSQL, with application
 * contexts as instances. The apply log table records the order writes reached the database.
 */
@ExtendWith(OutputCaptureExtension.class)
class WriteBehindIntegrationTests {

	/** The id queue entries of {@link PriceService#save} carry. */
	private static final String SAVE = PriceService.class.getName() + "#save(" + Price.class.getName() + ")";

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "prices_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final List<ConfigurableApplicationContext> started = new ArrayList<>();

	private final ExecutorService callers = Executors.newFixedThreadPool(8, (task) -> new Thread(task, "caller"));

	private ConfigurableApplicationContext start(String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.datasource.url=" + TestPostgres.jdbcUrl(),
				"tiercache.defaults.write-behind.flush-interval=20ms", "tiercache.defaults.write-behind.backoff=20ms"));
		all.addAll(List.of(properties));
		ConfigurableApplicationContext context = this.contexts.start(WriteBehindApplication.class,
				Map.of("probe", this.probe, "table", this.table), all.toArray(String[]::new));
		if (this.started.isEmpty()) {
			PriceService.createTables(jdbc(context), this.table);
		}
		this.started.add(context);
		return context;
	}

	@AfterEach
	void close() {
		this.probe.release();
		this.callers.shutdownNow();
		this.contexts.close();
		if (!this.started.isEmpty()) {
			PriceService.dropTables(new JdbcTemplate(testDatabase()), this.table);
		}
	}

	/** A connection to the test database of its own, usable after the contexts closed. */
	private static DataSource testDatabase() {
		return new DriverManagerDataSource(TestPostgres.jdbcUrl());
	}

	private static JdbcTemplate jdbc(ConfigurableApplicationContext context) {
		return context.getBean(JdbcTemplate.class);
	}

	private static PriceService service(ConfigurableApplicationContext context) {
		return context.getBean(PriceService.class);
	}

	private static WriteBehindQueues queues(ConfigurableApplicationContext context) {
		return context.getBean(WriteBehindQueues.class);
	}

	private Map<Long, Long> versionsInDatabase(ConfigurableApplicationContext context) {
		Map<Long, Long> versions = new HashMap<>();
		jdbc(context).query("select id, version from " + this.table,
				(row) -> { versions.put(row.getLong(1), row.getLong(2)); });
		return versions;
	}

	/**
	 * Appends an entry for a key to the stream of partition 0 (the only one, with {@code partitions=1}),
	 * as a call queued by another version of the application, or bytes corrupted in Redis, leave it.
	 */
	private void queueEntry(ConfigurableApplicationContext context, long key, String method, byte[] arguments) {
		try (RedisConnection connection = context.getBean(RedisConnectionFactory.class).getConnection()) {
			connection.streamCommands().xAdd(utf8(this.contexts.prefix + ":wb:{prices:0}"),
					Map.of(utf8("k"), utf8("#l:" + key), utf8("m"), utf8(method), utf8("a"), arguments));
		}
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void tenThousandWritesOfFiveHundredKeysFromEightThreadsOnTwoInstancesEndWithTheLastValueOfEveryKey()
			throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		int writes = 10_000;
		int keys = 500;
		int threads = 8;
		int versions = writes / keys;
		// writers are held until every call is acknowledged, so the flushers then find a backlog to coalesce
		this.probe.holdWrites();
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			done.add(this.callers.submit(() -> {
				// each key is written by one thread only (so its last value is defined), in increasing
				// versions, alternating between the two instances
				for (int version = 0; version < versions; version++) {
					for (int key = thread; key < keys; key += threads) {
						service(((key + version) % 2 == 0) ? first : second)
							.save(new Price(key, version, "v" + version));
					}
				}
			}));
		}
		for (Future<?> future : done) {
			future.get(60, TimeUnit.SECONDS);
		}
		this.probe.release();
		Map<Long, Long> expected = new HashMap<>();
		for (long key = 0; key < keys; key++) {
			expected.put(key, (long) versions - 1);
		}
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(versionsInDatabase(first)).isEqualTo(expected));

		WriteBehindStats a = queues(first).stats("prices");
		WriteBehindStats b = queues(second).stats("prices");
		long enqueued = a.enqueued() + b.enqueued();
		long calls = a.methodCalls() + b.methodCalls();
		System.out.printf("write-behind: %d writes enqueued, %d method calls after coalescing (%d coalesced), "
				+ "instance calls %d / %d%n", enqueued, calls, a.coalesced() + b.coalesced(), a.methodCalls(),
				b.methodCalls());
		assertThat(enqueued).isEqualTo(writes);
		assertThat(a.synchronousWrites() + b.synchronousWrites()).isZero();
		assertThat(calls).as("coalesced").isLessThan(writes).isEqualTo(this.probe.calls.get());
		assertThat(a.methodCalls()).as("first instance applied some").isPositive();
		assertThat(b.methodCalls()).as("second instance applied some").isPositive();
		assertThat(this.probe.threads).as("never the caller's thread").noneMatch((name) -> name.startsWith("caller"))
			.allMatch((name) -> name.startsWith("tiercache-writebehind-prices-"));
		// per-key order: in the apply log, each key's versions only grow
		Map<Long, Long> last = new HashMap<>();
		jdbc(first).query("select id, version from " + this.table + "_log order by seq", (row) -> {
			long id = row.getLong(1);
			long version = row.getLong(2);
			Long previous = last.put(id, version);
			assertThat(version).as("key %d applied out of order", id).isGreaterThan((previous != null) ? previous : -1);
		});
		assertThat(last).isEqualTo(expected);
		await().atMost(Duration.ofSeconds(10)).until(() -> queues(first).stats("prices").depth() == 0);
	}

	@Test
	void readsSeeTheAcknowledgedWriteOnAnyInstanceBeforeTheFlushEvenWhenTheEntryExpired() throws Exception {
		ConfigurableApplicationContext first = start("tiercache.caches.prices.ttl=300ms",
				"tiercache.caches.prices.ttl-jitter=0");
		ConfigurableApplicationContext second = start("tiercache.caches.prices.ttl=300ms",
				"tiercache.caches.prices.ttl-jitter=0");
		jdbc(first).update("insert into " + this.table + " values (7, 0, 'old')");
		assertThat(service(second).find(7)).isEqualTo(new Price(7, 0, "old"));
		second.getBean(TieredCacheManager.class).getTieredCache("prices").evict(7L);
		this.probe.holdWrites();

		service(first).save(new Price(7, 1, "new"));
		assertThat(this.probe.awaitHeldWrite()).as("the flush is under way and held").isTrue();
		String valueKey = this.contexts.prefix + ":{prices:0:#l:7}";
		StringRedisTemplate redis = first.getBean(StringRedisTemplate.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> !Boolean.TRUE.equals(redis.hasKey(valueKey)));
		first.getBean(TieredCacheManager.class).getTieredCache("prices").evict(7L);

		int reads = this.probe.reads.get();
		assertThat(service(second).find(7)).as("expired in Redis, not flushed yet").isEqualTo(new Price(7, 1, "new"));
		assertThat(service(first).find(7)).isEqualTo(new Price(7, 1, "new"));
		assertThat(this.probe.reads).as("no load read the old row").hasValue(reads);
		assertThat(versionsInDatabase(first)).containsEntry(7L, 0L);

		this.probe.release();
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(first).get(7L) == 1L);
		await().atMost(Duration.ofSeconds(5)).until(() -> redis.opsForHash()
			.size(this.contexts.prefix + ":wb:pending:{prices:" + partitionHolding(first) + "}") == 0);
	}

	private static int partitionHolding(ConfigurableApplicationContext context) {
		StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
		for (int p = 0; p < 8; p++) {
			// the only pending hash of the test is the one of key 7's partition
			if (!redis.keys("*:wb:pending:{prices:" + p + "}").isEmpty()) {
				return p;
			}
		}
		return 0;
	}

	@Test
	void aFlushLongerThanClaimIdleKeepsItsPartitionSoNoOtherInstanceAppliesTheSameEntry() throws Exception {
		// one partition: the second instance's fair share is that partition, so it takes it the moment it lapses
		String[] settings = { "tiercache.defaults.write-behind.claim-idle=600ms",
				"tiercache.defaults.write-behind.partitions=1" };
		ConfigurableApplicationContext first = start(settings);
		start(settings);
		this.probe.holdWrites();
		service(first).save(new Price(51, 1, "slow"));
		assertThat(this.probe.awaitHeldWrite()).isTrue();
		await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(4))
			.until(() -> this.probe.calls.get() == 1);
		this.probe.release();
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(first).containsKey(51L));
		await().atMost(Duration.ofSeconds(10)).until(() -> queues(first).stats("prices").depth() == 0);
		assertThat(this.probe.calls).hasValue(1);
	}

	@Test
	void aClaimThatFailsWhenAPartitionIsTakenOverIsRetriedSoTheAbandonedEntryIsApplied(CapturedOutput output)
			throws Exception {
		String[] settings = { "tiercache.defaults.write-behind.partitions=1",
				"tiercache.defaults.write-behind.drain-timeout=0s" };
		ConfigurableApplicationContext first = start(settings);
		this.probe.holdWrites();
		service(first).save(new Price(61, 1, "abandoned"));
		assertThat(this.probe.awaitHeldWrite()).as("read by the first instance").isTrue();
		first.close();
		this.probe.release();
		// the first instance left the entry read but unacknowledged; make the next owner's claim fail once
		StringRedisTemplate redis = new StringRedisTemplate(TestRedis.connectionFactory());
		String stream = this.contexts.prefix + ":wb:{prices:0}";
		redis.rename(stream, stream + ":aside");
		redis.opsForValue().set(stream, "not a stream");
		ConfigurableApplicationContext second = start(settings);
		await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("WRONGTYPE"));
		// one atomic step (RENAME replaces the impostor): between a DEL and a RENAME, the flusher's claim could
		// run on an empty stream it just created, and count the takeover as settled
		redis.rename(stream + ":aside", stream);

		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(second).containsKey(61L));
		await().atMost(Duration.ofSeconds(10)).until(() -> queues(second).stats("prices").depth() == 0);
	}

	@Test
	void aWriterThatKeepsFailingIsRetriedThenDeadLetteredWithItsErrorAndCanBeRequeued() {
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.max-attempts=3");
		this.probe.failing.add(13L);
		service(context).save(new Price(13, 1, "refused"));
		service(context).save(new Price(14, 1, "fine"));
		WriteBehindQueues queues = queues(context);
		await().atMost(Duration.ofSeconds(20)).until(() -> queues.deadLetters("prices", 10).size() == 1);

		DeadLetter letter = queues.deadLetters("prices", 10).get(0);
		assertThat(letter.key()).isEqualTo("#l:13");
		assertThat(letter.attempts()).isEqualTo(3);
		assertThat(letter.error()).contains("IllegalStateException").contains("price 13 is refused");
		assertThat(letter.method()).endsWith("PriceService#save(" + Price.class.getName() + ")");
		WriteBehindStats stats = queues.stats("prices");
		assertThat(stats.retries()).isEqualTo(2);
		assertThat(stats.deadLettered()).isEqualTo(1);
		assertThat(stats.deadLetters()).isEqualTo(1);
		assertThat(versionsInDatabase(context)).containsOnlyKeys(14L);
		assertThat(service(context).find(13)).as("the cache does not keep a value the database never got").isNull();

		this.probe.failing.clear();
		assertThat(queues.requeue("prices", letter.id())).isTrue();
		assertThat(queues.requeue("prices", letter.id())).as("once").isFalse();
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(13L));
		assertThat(queues.deadLetters("prices", 10)).isEmpty();

		this.probe.failing.add(15L);
		service(context).save(new Price(15, 1, "refused"));
		await().atMost(Duration.ofSeconds(20)).until(() -> queues.deadLetters("prices", 10).size() == 1);
		assertThat(queues.drop("prices", queues.deadLetters("prices", 10).get(0).id())).isTrue();
		assertThat(queues.stats("prices").deadLetters()).isZero();
	}

	@Test
	void aDeadLetterEvictsItsKeyEvenWhenItsMethodIsUnknownOrItsArgumentsCannotBeDecoded() {
		// issue 16 item 4: during a rolling deploy, or before a lazy bean is created, the flusher has no method
		// for an entry, or cannot decode its arguments; such dead letters left the value in the cache
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.partitions=1");
		TieredCache prices = context.getBean(TieredCacheManager.class).getTieredCache("prices");
		// each value cached and its call queued, as another version of the application left them
		prices.put(91L, new Price(91, 1, "queued by a method this instance does not have"), Price.class);
		queueEntry(context, 91, "com.example.RetiredService#save(com.example.Price)", new byte[] { 0, 1, -1 });
		prices.put(92L, new Price(92, 1, "queued with two arguments for a method that takes one"), Price.class);
		queueEntry(context, 92, SAVE, new byte[] { 0, 2, -1, -1 });
		await().atMost(Duration.ofSeconds(20)).until(() -> queues(context).deadLetters("prices", 10).size() == 2);

		assertThat(service(context).find(91)).as("not the value the database never got").isNull();
		assertThat(service(context).find(92)).as("not the value the database never got").isNull();
	}

	@Test
	void anEntryClaimingAHugeArgumentBecomesADeadLetterAndThePartitionGoesOn() throws Exception {
		// issue 16 item 7: decoding it allocated the claimed length first; the OutOfMemoryError was rethrown
		// and the partition failed on that entry at every poll
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.partitions=1");
		this.probe.holdWrites();
		service(context).save(new Price(94, 1, "held, so that the next batch holds both entries below"));
		assertThat(this.probe.awaitHeldWrite()).isTrue();
		// one argument, format 0, claiming Integer.MAX_VALUE bytes, holding one
		queueEntry(context, 95, SAVE, new byte[] { 0, 1, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 42 });
		service(context).save(new Price(96, 1, "queued after the corrupt entry"));
		this.probe.release();
		await().atMost(Duration.ofSeconds(20)).until(() -> versionsInDatabase(context).containsKey(96L));
		List<DeadLetter> letters = queues(context).deadLetters("prices", 10);
		assertThat(letters).extracting(DeadLetter::key).containsExactly("#l:95");
		assertThat(letters.get(0).error()).contains("claims " + Integer.MAX_VALUE + " bytes, but 1 are left");
	}

	@Test
	void aRequeuedDeadLetterOnceAppliedIsWhatReadsSee() {
		// issue 16 item 3: the dead letter evicted the key when it failed, reads cached the old row again, and
		// applying the requeued entry evicted nothing: reads kept the old row
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.max-attempts=2");
		jdbc(context).update("insert into " + this.table + " values (18, 0, 'old')");
		this.probe.failing.add(18L);
		service(context).save(new Price(18, 1, "new"));
		WriteBehindQueues queues = queues(context);
		// the key is evicted right after the dead letter is written
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(service(context).find(18))
			.as("the old row, read again and cached").isEqualTo(new Price(18, 0, "old")));
		assertThat(queues.deadLetters("prices", 10)).hasSize(1);

		this.probe.failing.clear();
		assertThat(queues.requeue("prices", queues.deadLetters("prices", 10).get(0).id())).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> queues.stats("prices").depth() == 0);
		assertThat(versionsInDatabase(context)).containsEntry(18L, 1L);
		assertThat(service(context).find(18)).isEqualTo(new Price(18, 1, "new"));
	}

	@Test
	void aRequeuedDeadLetterIsItsKeysLatestPendingWriteUntilApplied() throws Exception {
		// a requeued dead letter queued behind a newer write of its key, and applied with it in one batch,
		// left that write's pending value behind for good: reads returned it while the database held the
		// requeued one
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.partitions=1",
				"tiercache.defaults.write-behind.max-attempts=2");
		jdbc(context).update("insert into " + this.table + " values (20, 0, 'v0')");
		WriteBehindQueues queues = queues(context);
		this.probe.failing.add(20L);
		service(context).save(new Price(20, 1, "dead letter"));
		await().atMost(Duration.ofSeconds(20)).until(() -> !queues.deadLetters("prices", 10).isEmpty());
		this.probe.failing.clear();
		this.probe.holdWrites();
		service(context).save(new Price(95, 1, "held, so that the next batch holds both writes of key 20"));
		assertThat(this.probe.awaitHeldWrite()).isTrue();
		service(context).save(new Price(20, 2, "queued"));
		assertThat(queues.requeue("prices", queues.deadLetters("prices", 10).get(0).id())).isTrue();
		this.probe.release();
		await().atMost(Duration.ofSeconds(20)).until(() -> queues.stats("prices").depth() == 0);
		assertThat(versionsInDatabase(context)).as("the requeued write was applied last").containsEntry(20L, 1L);
		assertThat(service(context).find(20)).isEqualTo(new Price(20, 1, "dead letter"));
	}

	@Test
	void whenACoalescedCallBecomesADeadLetterTheWritesItCoveredAreStillApplied() throws Exception {
		// issue 16 item 5: v1 and v2 of a key were coalesced into v2's call; v2 kept failing and became a dead
		// letter, and v1, acknowledged with it, never reached the database, which stayed at v0
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.partitions=1",
				"tiercache.defaults.write-behind.max-attempts=2");
		jdbc(context).update("insert into " + this.table + " values (19, 0, 'v0')");
		this.probe.refused.add(new Price(19, 2, "v2"));
		this.probe.holdWrites();
		service(context).save(new Price(94, 1, "held, so that the next batch holds both writes of key 19"));
		assertThat(this.probe.awaitHeldWrite()).isTrue();
		service(context).save(new Price(19, 1, "v1"));
		service(context).save(new Price(19, 2, "v2"));
		this.probe.release();

		WriteBehindQueues queues = queues(context);
		await().atMost(Duration.ofSeconds(20)).until(() -> queues.stats("prices").depth() == 0);
		assertThat(queues.deadLetters("prices", 10)).singleElement()
			.satisfies((letter) -> assertThat(letter.error()).contains("Price[id=19, version=2, amount=v2] is refused"));
		assertThat(versionsInDatabase(context)).containsEntry(19L, 1L);
		assertThat(service(context).find(19)).isEqualTo(new Price(19, 1, "v1"));
	}

	@Test
	void aCallMovedToTheDeadLettersIsPublishedAsAnEvent() {
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.max-attempts=2");
		List<WriteDeadLettered> published = new CopyOnWriteArrayList<>();
		context.addApplicationListener(ApplicationListener.<WriteDeadLettered>forPayload(published::add));
		this.probe.failing.add(18L);
		service(context).save(new Price(18, 1, "refused"));
		await().atMost(Duration.ofSeconds(20)).until(() -> !published.isEmpty());
		assertThat(published).singleElement().satisfies((event) -> {
			assertThat(event.cache()).isEqualTo("prices");
			assertThat(event.key()).isEqualTo("#l:18");
			assertThat(event.attempts()).isEqualTo(2);
			assertThat(event.error()).contains("18");
		});
		assertThat(queues(context).deadLetters("prices", 10)).singleElement()
			.satisfies((letter) -> assertThat(letter.key()).isEqualTo("#l:18"));
	}

	@Test
	void deadLettersAreRequeuedAndDroppedThroughTheActuatorEndpoint() {
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.max-attempts=2",
				"management.endpoints.web.exposure.include=tiercache");
		this.probe.failing.add(16L);
		this.probe.failing.add(17L);
		service(context).save(new Price(16, 1, "refused"));
		service(context).save(new Price(17, 1, "refused"));
		WriteBehindQueues queues = queues(context);
		await().atMost(Duration.ofSeconds(20)).until(() -> queues.deadLetters("prices", 10).size() == 2);
		TiercacheEndpoint endpoint = context.getBean(TiercacheEndpoint.class);
		assertThat(endpoint.cache(SecurityContext.NONE, "prices").writeBehind().deadLetters()).isEqualTo(2);

		this.probe.failing.remove(16L);
		String sixteen = queues.deadLetters("prices", 10).stream().filter((letter) -> letter.key().equals("#l:16"))
			.findFirst().orElseThrow().id();
		assertThat(endpoint.deadLetters(SecurityContext.NONE, "prices", "requeue", sixteen))
			.containsEntry("requeued", 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(16L));
		assertThat(endpoint.deadLetters(SecurityContext.NONE, "prices", "drop", null)).as("every one left")
			.containsEntry("dropped", 1);
		assertThat(queues.deadLetters("prices", 10)).isEmpty();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> endpoint.deadLetters(SecurityContext.NONE, "prices", "burn", null))
			.withMessageContaining("'requeue' or 'drop'");
		assertThat(endpoint.deadLetters(SecurityContext.NONE, "books", "drop", null)).as("no queue: 404").isNull();
	}

	@Test
	void closingTheContextDrainsTheQueue() {
		ConfigurableApplicationContext context = start("tiercache.defaults.write-behind.drain-timeout=30s");
		this.probe.delayMillis = 2;
		for (int i = 0; i < 400; i++) {
			service(context).save(new Price(i, 1, "v1"));
		}
		assertThat(versionsInDatabase(context)).as("not all flushed before close").hasSizeLessThan(400);
		context.close();
		JdbcTemplate jdbc = new JdbcTemplate(testDatabase());
		assertThat(jdbc.queryForObject("select count(*) from " + this.table, Long.class)).isEqualTo(400);
		StringRedisTemplate redis = new StringRedisTemplate(TestRedis.connectionFactory());
		for (int p = 0; p < 8; p++) {
			assertThat(redis.opsForStream().size(this.contexts.prefix + ":wb:{prices:" + p + "}")).isZero();
		}
	}

	@Test
	@SingleServer
	void whenRedisCannotTakeTheEntryTheCallIsRefusedWithoutRunningTheMethodAndIsCounted() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			ConfigurableApplicationContext context = start("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + proxy.port(), "tiercache.redis.timeout=200ms");
			service(context).save(new Price(21, 1, "queued"));
			await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(21L));
			proxy.cut();
			String caller = Thread.currentThread().getName();
			assertThatExceptionOfType(WriteBehindUnavailableException.class)
				.isThrownBy(() -> service(context).save(new Price(22, 1, "refused")))
				.withMessageContaining("key '22' of cache 'prices'");
			assertThat(this.probe.threads).as("the method did not run on the caller's thread").doesNotContain(caller);
			assertThat(context.getBean(MeterRegistry.class).get("tiercache.writebehind.refused").tag("cache", "prices")
				.functionCounter().count()).as("counted while Redis is down").isEqualTo(1);
			proxy.restore();
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.untilAsserted(() -> assertThat(queues(context).stats("prices").refused()).isEqualTo(1));
			assertThat(queues(context).stats("prices").synchronousWrites()).isZero();
		}
	}

	@Test
	@SingleServer
	void whileTheManagersBreakerIsOpenAWriteBehindCallIsRefusedWithoutWaitingForRedis() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			ConfigurableApplicationContext context = start("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + proxy.port(), "tiercache.redis.timeout=2s",
					"tiercache.redis.breaker.sliding-window-size=2", "tiercache.redis.breaker.minimum-number-of-calls=2");
			service(context).save(new Price(24, 1, "queued"));
			await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(24L));
			proxy.blackHole();
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			ExecutorService readers = Executors.newFixedThreadPool(2);
			try {
				List<Future<?>> reads = List.of(readers.submit(() -> service(context).find(1001)),
						readers.submit(() -> service(context).find(1002)));
				for (Future<?> read : reads) {
					read.get(10, TimeUnit.SECONDS);
				}
			}
			finally {
				readers.shutdownNow();
			}
			assertThat(manager.redisCircuitBreaker().admits()).as("two timed-out reads opened the breaker").isFalse();

			long started = System.nanoTime();
			assertThatExceptionOfType(WriteBehindUnavailableException.class)
				.isThrownBy(() -> service(context).save(new Price(25, 1, "refused")))
				.satisfies((refused) -> assertThat(refused.mayHaveBeenQueued()).isFalse());
			long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			assertThat(tookMillis).as("the queue shares the open breaker: no 2 s wait for a black hole")
				.isLessThan(1000);
			proxy.restore();
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.untilAsserted(() -> assertThat(queues(context).stats("prices").refused()).isEqualTo(1));
			assertThat(versionsInDatabase(context)).as("not queued, not run").doesNotContainKey(25L);
		}
	}

	@Test
	void writeBehindMetersShowAHeldWriteAsPendingUntilItIsApplied() throws Exception {
		ConfigurableApplicationContext context = start();
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		this.probe.holdWrites();
		service(context).save(new Price(61, 1, "held"));
		assertThat(this.probe.awaitHeldWrite()).isTrue();
		// reading the lag directly first: if Redis does not answer, the failure shows why the gauge is NaN
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(queues(context).stats("prices").depth()).isEqualTo(1);
			assertThat(registry.get("tiercache.writebehind.pending").tag("cache", "prices").gauge().value())
				.isEqualTo(1);
		});
		assertThat(registry.get("tiercache.writebehind.oldest.age").tag("cache", "prices").timeGauge().value())
			.isPositive();
		this.probe.release();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
				registry.get("tiercache.writebehind.pending").tag("cache", "prices").gauge().value())
			.isZero());
		assertThat(registry.get("tiercache.writebehind.dead").tag("cache", "prices").gauge().value()).isZero();
	}

	@Test
	void insideATransactionTheCallIsQueuedOnCommitOnlyAndNeverOnRollback() {
		ConfigurableApplicationContext context = start();
		TransactionTemplate transaction = context.getBean(TransactionTemplate.class);
		WriteBehindQueues queues = queues(context);
		transaction.executeWithoutResult((status) -> {
			service(context).save(new Price(31, 1, "rolled back"));
			status.setRollbackOnly();
		});
		assertThat(queues.stats("prices").enqueued()).isZero();
		assertThat(service(context).find(31)).as("the cache was not touched").isNull();

		transaction.executeWithoutResult((status) -> {
			service(context).save(new Price(32, 1, "committed"));
			assertThat(queues.stats("prices").enqueued()).as("not before commit").isZero();
		});
		assertThat(queues.stats("prices").enqueued()).isEqualTo(1);
		assertThat(service(context).find(32)).isEqualTo(new Price(32, 1, "committed"));
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(32L));
		assertThat(versionsInDatabase(context)).doesNotContainKey(31L);
	}

	@Test
	void aCallMadeInsideAnAfterCommitCallbackIsQueued() {
		// issue 16 item 6: during afterCommit synchronization is still active, but a synchronization registered
		// then is never called back with afterCommit: the write was dropped
		ConfigurableApplicationContext context = start();
		context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> TransactionSynchronizationManager
			.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					service(context).save(new Price(33, 1, "saved after commit"));
				}

			}));
		assertThat(queues(context).stats("prices").enqueued()).isEqualTo(1);
		assertThat(service(context).find(33)).isEqualTo(new Price(33, 1, "saved after commit"));
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(33L));
	}

	@Test
	@SingleServer
	void aCallRedisCannotTakeAtCommitIsLoggedAsNotAppliedAndNeverRunAroundTheQueue(CapturedOutput output)
			throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			ConfigurableApplicationContext context = start("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + proxy.port(), "tiercache.redis.timeout=200ms");
			jdbc(context).update("insert into " + this.table + " values (81, 0, 'old')");
			assertThat(service(context).find(81)).isEqualTo(new Price(81, 0, "old"));
			context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> {
				service(context).save(new Price(81, 1, "new"));
				proxy.cut();
			});
			assertThat(this.probe.calls).as("not run at commit").hasValue(0);
			assertThat(output).contains("A transaction committed, but its @WriteBehind write",
					"key '81' of cache 'prices'");
			proxy.restore();
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> queues(context).stats("prices").depth() == 0);
			// the client may have sent the entry once reconnected: then it was queued and applied after all
			long version = versionsInDatabase(context).get(81L);
			assertThat(service(context).find(81)).as("the cache agrees with the database").extracting(Price::version)
				.isEqualTo(version);
		}
	}

	@Test
	@SingleServer
	void aFlushThatLosesRedisBeforeItsAcknowledgmentAppliesTheEntryOnce() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			ConfigurableApplicationContext context = start("spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + proxy.port(), "tiercache.redis.timeout=200ms");
			this.probe.holdWrites();
			service(context).save(new Price(41, 1, "during the outage"));
			assertThat(this.probe.awaitHeldWrite()).isTrue();
			proxy.cut();
			this.probe.release();
			await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(context).containsKey(41L));
			proxy.restore();
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
				.until(() -> queues(context).stats("prices").depth() == 0);
			// the acknowledgment reaches Redis once it is back: the flusher sends it again while its lease holds,
			// and Lettuce re-sends one it had buffered, ahead of any later read of the pending entries
			assertThat(this.probe.calls).hasValue(1);
			assertThat(versionsInDatabase(context)).containsEntry(41L, 1L);
			assertThat(queues(context).stats("prices").deadLetters()).isZero();
		}
	}

	@Test
	void aQueuedDeleteReadsAsNullEverywhereAtOnceAndRemovesTheRowWhenApplied() {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		service(first).save(new Price(71, 1, "to delete"));
		await().atMost(Duration.ofSeconds(10)).until(() -> versionsInDatabase(first).containsKey(71L));
		this.probe.holdWrites();

		service(first).delete(71);
		int reads = this.probe.reads.get();
		assertThat(service(second).find(71)).as("the queued delete, read from Redis").isNull();
		assertThat(this.probe.reads).as("no load").hasValue(reads);
		assertThat(versionsInDatabase(first)).containsKey(71L);
		this.probe.release();
		await().atMost(Duration.ofSeconds(10)).until(() -> !versionsInDatabase(first).containsKey(71L));
	}

	@Test
	void aBatchMethodAppliesManyKeysInOneCall() {
		ConfigurableApplicationContext context = start();
		for (int i = 0; i < 1000; i++) {
			service(context).saveStock(new Price(i % 200, i / 200, "v" + (i / 200)));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			Map<Long, Long> versions = versionsInDatabase(context);
			return versions.size() == 200 && versions.values().stream().allMatch((version) -> version == 4L);
		});
		WriteBehindStats stats = queues(context).stats("stock");
		System.out.printf("write-behind batch: 1000 writes, %d batch calls, %d single calls%n", stats.batchCalls(),
				this.probe.calls.get());
		assertThat(stats.batchCalls()).isPositive().isEqualTo(this.probe.batchCalls.get());
		assertThat(this.probe.threads).allMatch((name) -> name.startsWith("tiercache-writebehind-stock-"));
	}

}
