package dev.tiercache.strategy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.internal.write.WriteIntent;
import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestTransactions;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WriteThroughStrategy} on real two-tier caches of two instances sharing a Redis: the written
 * value is cached once the write completes (after commit in a transaction, never on rollback), in
 * both tiers; a {@code null} value, a write that overlapped another write of the key, an unannounced
 * write and a cache write that fails delete the key instead, and the failing one does not fail the call.
 */
class WriteThroughStrategyTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCache here = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final TieredCache there = this.managers.redis(CacheSettings.DEFAULTS, "books").getTieredCache("books");

	private final WriteThroughStrategy strategy = new WriteThroughStrategy(new CacheWriteScheduler());

	private final TransactionTemplate transactions = TestTransactions.template();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void theValueIsCachedOnlyOnceTheWriteCompletes() {
		this.here.put("k", "old");
		WriteIntent intent = this.strategy.intend(this.here, "k");
		assertThat(this.here.get("k", String.class)).as("announced, not written").isEqualTo("old");
		this.strategy.written(this.here, intent, "new", String.class);
		assertThat(this.here.get("k", String.class)).isEqualTo("new");
		assertThat(this.there.get("k", String.class)).as("in Redis").isEqualTo("new");
	}

	@Test
	void aNullValueDeletesTheKey() {
		this.here.put("k", "old");
		this.strategy.written(this.here, this.strategy.intend(this.here, "k"), null, String.class);
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
	}

	@Test
	void aCacheWriteThatFailsDeletesTheKeyWithoutFailingTheCall() {
		TieredCache small = this.managers.redis((builder) -> builder.maxValueBytes(256), CacheSettings.DEFAULTS, "books")
			.getTieredCache("books");
		small.put("k", "old");
		this.strategy.written(small, this.strategy.intend(small, "k"), "x".repeat(1000), String.class);
		assertThat(small.stats().encodeFailures()).as("too large to cache").isEqualTo(1);
		assertThat(small.get("k")).isNull();
		assertThat(this.there.get("k")).as("in Redis").isNull();
	}

	@Test
	void aWriteThatOverlappedAnotherWriteOfTheKeyDeletesItInsteadOfStoring() {
		this.here.put("k", "old");
		WriteIntent first = this.strategy.intend(this.here, "k");
		WriteIntent second = this.strategy.intend(this.there, "k");
		this.strategy.written(this.here, first, "first", String.class);
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
		this.strategy.written(this.there, second, "second", String.class);
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
	}

	@Test
	void aWriteThatCouldNotBeAnnouncedDeletesTheKey() {
		this.here.put("k", "old");
		this.strategy.writtenUnannounced(this.here, "k");
		assertThat(this.here.get("k")).isNull();
		assertThat(this.there.get("k")).isNull();
	}

	@Test
	void inATransactionTheValueIsCachedOnlyAfterCommit() {
		this.here.put("k", "old");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.written(this.here, this.strategy.intend(this.here, "k"), "new", String.class);
			assertThat(this.here.get("k", String.class)).isEqualTo("old");
		});
		assertThat(this.here.get("k", String.class)).isEqualTo("new");
		assertThat(this.there.get("k", String.class)).isEqualTo("new");
	}

	@Test
	void aTransactionThatRollsBackLeavesTheCachedValue() {
		this.here.put("k", "old");
		this.transactions.executeWithoutResult((status) -> {
			this.strategy.written(this.here, this.strategy.intend(this.here, "k"), "new", String.class);
			status.setRollbackOnly();
		});
		assertThat(this.here.get("k", String.class)).isEqualTo("old");
		assertThat(this.there.get("k", String.class)).isEqualTo("old");
	}

}
