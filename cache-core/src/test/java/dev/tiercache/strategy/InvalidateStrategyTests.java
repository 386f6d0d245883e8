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
 * {@link InvalidateStrategy} on real two-tier caches of two instances sharing a Redis: one key is
 * deleted, or with no key ({@code allEntries}) every entry on every instance; before invocation at
 * once even inside a transaction, after invocation only once the transaction commits.
 */
class InvalidateStrategyTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCache here = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final TieredCache there = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final InvalidateStrategy strategy = new InvalidateStrategy(new CacheWriteScheduler());

	private final TransactionTemplate transactions = TestTransactions.template();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void aKeyIsDeletedAndTheOthersKept() {
		this.here.put("k", "v");
		this.here.put("other", "kept");
		this.strategy.invalidate(this.here, "k", false);
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
		assertThat(this.here.get("other", String.class)).isEqualTo("kept");
	}

	@Test
	void withoutAKeyEveryEntryIsClearedOnEveryInstance() {
		this.here.put("a", "1");
		this.here.put("b", "2");
		assertThat(this.there.get("a", String.class)).isEqualTo("1");
		this.strategy.invalidate(this.here, null, false);
		assertThat(this.here.get("a")).isNull();
		assertThat(this.here.get("b")).isNull();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.there.get("a")).isNull());
		assertThat(this.there.get("b")).isNull();
	}

	@Test
	void beforeInvocationTheKeyIsDeletedAtOnceEvenInATransaction() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.invalidate(this.here, "k", true);
			assertThat(this.here.get("k")).isNull();
			status.setRollbackOnly();
		});
		assertThat(this.here.get("k")).as("a rollback does not bring it back").isNull();
	}

	@Test
	void afterInvocationTheKeyIsDeletedOnlyWhenTheTransactionCommits() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.invalidate(this.here, "k", false);
			assertThat(this.here.get("k", String.class)).isEqualTo("v");
		});
		assertThat(this.here.get("k")).isNull();
	}

	@Test
	void afterInvocationEveryEntryIsClearedOnlyWhenTheTransactionCommits() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.invalidate(this.here, null, false);
			assertThat(this.here.get("k", String.class)).isEqualTo("v");
		});
		assertThat(this.here.get("k")).isNull();
	}

	@Test
	void afterInvocationInATransactionThatRollsBackNothingIsDeleted() {
		this.here.put("k", "v");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.invalidate(this.here, "k", false);
			status.setRollbackOnly();
		});
		assertThat(this.here.get("k", String.class)).isEqualTo("v");
		assertThat(this.there.get("k", String.class)).isEqualTo("v");
	}

}
