package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reloads never replace a {@code @WriteBehind} write that the database does not hold yet (issue 16
 * item 2): a reload reads the database, which still has the older row until the flusher applies the
 * queued call. Each test loads v1, queues v2 while the flusher is held inside the write method, makes
 * one kind of reload happen, and checks that every read returns v2, before and after the flush (and
 * after a reload that follows the flush), against the shared Redis and a real PostgreSQL.
 */
class WriteBehindReloadTests {

	private static final Price V1 = new Price(7, 1, "v1");

	private static final Price V2 = new Price(7, 2, "v2");

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "reloads_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final List<Price> seen = new ArrayList<>();

	private ConfigurableApplicationContext context;

	@AfterEach
	void close() {
		this.probe.release();
		this.contexts.close();
		if (this.context != null) {
			PriceService.dropTables(new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl())), this.table);
		}
	}

	@Test
	void refreshAheadDoesNotReplaceAQueuedWrite() {
		start("tiercache.caches.prices.ttl=1s", "tiercache.caches.prices.refresh-ahead=0.5");
		queueV2OverV1();
		// past half the TTL each read goes to Redis and starts a reload; a second one starts once the first ended
		readUntil(() -> prices().stats().refreshes() >= 2);
		assertReadsAndCacheEndAtV2();
	}

	@Test
	void earlyExpiryDoesNotReplaceAQueuedWrite() {
		// remote mode: every read goes to Redis, where XFetch draws its reloads (almost surely in the last
		// few hundred ms of the TTL with beta 100, since a queued write records no load time)
		start("tiercache.caches.prices.mode=remote", "tiercache.caches.prices.ttl=1s",
				"tiercache.caches.prices.early-expiry-beta=100");
		queueV2OverV1();
		readUntil(() -> prices().stats().refreshes() >= 2);
		assertReadsAndCacheEndAtV2();
	}

	@Test
	void staleWhileRevalidateDoesNotReplaceAQueuedWrite() {
		start("tiercache.caches.prices.ttl=300ms", "tiercache.caches.prices.stale-while-revalidate=30s");
		queueV2OverV1();
		readUntil(() -> prices().stats().refreshes() >= 2);
		assertThat(prices().stats().staleHits()).as("served stale while reloading").isPositive();
		assertReadsAndCacheEndAtV2();
	}

	@Test
	void aLoadOfAnExpiredEntryKeptForFailSafeDoesNotReplaceAQueuedWrite() {
		start("tiercache.caches.prices.ttl=300ms", "tiercache.caches.prices.fail-safe=30s");
		long queuedAt = queueV2OverV1();
		// past its TTL, the entry stays in Redis for fail-safe; a read loads (the expired entry would be
		// served only if the method threw)
		await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - queuedAt > 350_000_000L);
		for (int i = 0; i < 3; i++) {
			this.seen.add(service().find(7));
		}
		assertReadsAndCacheEndAtV2();
	}

	@Test
	void aLookupPastTheTtlReturnsTheQueuedWriteRatherThanAMissThatSpringWouldReloadAndPut() {
		start("tiercache.caches.prices.ttl=300ms", "tiercache.caches.prices.fail-safe=30s");
		long queuedAt = queueV2OverV1();
		await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - queuedAt > 350_000_000L);
		// Cache.get(key, type), as plain @Cacheable reads: a miss there makes Spring call the method and put
		assertThat(prices().get(7L, Price.class)).isEqualTo(V2);
		assertThat(this.probe.reads).as("loads: only the first").hasValue(1);
	}

	@Test
	void aPutOfARowReadBeforeAQueuedWriteDoesNotReplaceIt() throws InterruptedException {
		// plain @Cacheable without sync: the lookup misses, the method reads v1, a @WriteBehind call of the key
		// queues v2 meanwhile, and then Spring puts what the method read (a short TTL, so that reads reload
		// after the flush)
		start("tiercache.caches.prices.ttl=1s");
		this.context.getBean(JdbcTemplate.class).update("insert into " + this.table + " values (7, 1, 'v1')");
		assertThat(prices().get(7L, Price.class)).isNull();
		this.probe.holdWrites();
		service().save(V2);
		assertThat(this.probe.awaitHeldWrite()).as("the flush is under way and held").isTrue();
		prices().put(7L, V1);
		this.seen.add(service().find(7));
		this.seen.add(prices().get(7L, Price.class));
		assertReadsAndCacheEndAtV2();
	}

	private void start(String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.datasource.url=" + TestPostgres.jdbcUrl(),
				"tiercache.defaults.write-behind.flush-interval=20ms", "tiercache.caches.prices.ttl-jitter=0"));
		all.addAll(List.of(properties));
		this.context = this.contexts.start(WriteBehindApplication.class, Map.of("probe", this.probe, "table", this.table),
				all.toArray(String[]::new));
		PriceService.createTables(this.context.getBean(JdbcTemplate.class), this.table);
	}

	/**
	 * Caches v1 from the database, then queues v2, whose flush is held in the write method.
	 * @return when the call returned ({@link System#nanoTime()})
	 */
	private long queueV2OverV1() {
		this.context.getBean(JdbcTemplate.class).update("insert into " + this.table + " values (7, 1, 'v1')");
		assertThat(service().find(7)).isEqualTo(V1);
		this.probe.holdWrites();
		service().save(V2);
		long queuedAt = System.nanoTime();
		try {
			assertThat(this.probe.awaitHeldWrite()).as("the flush is under way and held").isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		return queuedAt;
	}

	/** Reads the key, recording what each read returns, until {@code done}. */
	private void readUntil(BooleanSupplier done) {
		await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
			this.seen.add(service().find(7));
			return done.getAsBoolean();
		});
	}

	/**
	 * Every read so far returned v2 while the database held v1; once the flush is let go, the database
	 * and every later read hold v2, including one that reloads from the database after the flush.
	 */
	private void assertReadsAndCacheEndAtV2() {
		assertThat(this.seen).as("reads while v2 was queued").isNotEmpty().containsOnly(V2);
		assertThat(versionInDatabase()).as("held").isEqualTo(1L);

		this.probe.release();
		await().atMost(Duration.ofSeconds(10)).until(() -> versionInDatabase() == 2L);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.context.getBean(WriteBehindQueues.class).stats("prices").depth() == 0);
		this.seen.clear();
		int loads = this.probe.reads.get();
		readUntil(() -> this.probe.reads.get() > loads);
		this.seen.add(service().find(7));
		assertThat(this.seen).as("reads after the flush, up to and after a reload").containsOnly(V2);
	}

	private long versionInDatabase() {
		Long version = this.context.getBean(JdbcTemplate.class)
			.queryForObject("select version from " + this.table + " where id = 7", Long.class);
		return (version != null) ? version : -1;
	}

	private PriceService service() {
		return this.context.getBean(PriceService.class);
	}

	private TieredCache prices() {
		return this.context.getBean(TieredCacheManager.class).getTieredCache("prices");
	}

}
