package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
 * A put of a row loaded before a write-behind call of its key was queued (plain {@code @Cacheable}:
 * get, method, put) never replaces the queued value, before or after the flush.
 */
class PutOverQueuedWriteTests {

	private static final Price V1 = new Price(7, 1, "v1");

	private static final Price V2 = new Price(7, 2, "v2");

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "put_queued_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

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
	void aPutOfARowLoadedBeforeAQueuedWriteNeverReplacesIt() {
		this.context = this.contexts.start(WriteBehindApplication.class,
				Map.of("probe", this.probe, "table", this.table), "spring.datasource.url=" + TestPostgres.jdbcUrl(), "tiercache.defaults.write-behind.flush-interval=20ms");
		JdbcTemplate jdbc = this.context.getBean(JdbcTemplate.class);
		PriceService.createTables(jdbc, this.table);
		jdbc.update("insert into " + this.table + " values (7, 1, 'v1')");
		TieredCache prices = this.context.getBean(TieredCacheManager.class).getTieredCache("prices");
		// @Cacheable(sync = false): Cache.get misses, the method reads the row ...
		assertThat(prices.get(7L, Price.class)).isNull();
		Price loaded = V1;
		// ... meanwhile a @WriteBehind call queues v2 (its flush held)
		this.probe.holdWrites();
		this.context.getBean(PriceService.class).save(V2);
		// ... and Spring puts what the method returned
		prices.put(7L, loaded);
		List<Price> whileQueued = List.of(this.context.getBean(PriceService.class).find(7), prices.get(7L, Price.class));
		this.probe.release();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.context.getBean(WriteBehindQueues.class).stats("prices").depth() == 0);
		assertThat(jdbc.queryForObject("select version from " + this.table + " where id = 7", Long.class)).isEqualTo(2L);
		Price afterFlush = this.context.getBean(PriceService.class).find(7);
		assertThat(List.of(whileQueued.get(0), whileQueued.get(1), afterFlush)).as("while queued (twice), after the flush")
			.containsOnly(V2);
	}

}
