package dev.tiercache.strategy;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestTransactions;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link WriteAroundStrategy} on real two-tier caches of two instances sharing a Redis: the written
 * key is deleted from Redis and from every instance's L1, other keys stay; in a transaction, only once
 * it commits.
 */
class WriteAroundStrategyTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCache here = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final TieredCache there = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final WriteAroundStrategy strategy = new WriteAroundStrategy(new CacheWriteScheduler());

	private final TransactionTemplate transactions = TestTransactions.template();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void theKeyIsDeletedFromBothTiersOfEveryInstance() {
		this.here.put("k", "v");
		this.here.put("other", "kept");
		assertThat(this.there.get("k", String.class)).isEqualTo("v");
		this.strategy.written(this.here, "k");
		assertThat(this.here.get("k")).isNull();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.there.get("k")).isNull());
		assertThat(this.here.get("other", String.class)).isEqualTo("kept");
	}

	@Test
	void inATransactionTheKeyIsDeletedOnlyAfterCommit() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.written(this.here, "k");
			assertThat(this.here.get("k", String.class)).isEqualTo("v");
		});
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
	}

	@Test
	void aTransactionThatRollsBackDeletesNothing() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.written(this.here, "k");
			status.setRollbackOnly();
		});
		assertThat(this.here.get("k", String.class)).isEqualTo("v");
		assertThat(this.there.get("k", String.class)).isEqualTo("v");
	}

}
