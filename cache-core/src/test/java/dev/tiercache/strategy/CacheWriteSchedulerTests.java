package dev.tiercache.strategy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestTransactions;
import dev.tiercache.tier.TieredCache;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link CacheWriteScheduler} runs a pattern's cache write, on a real (local) cache: at once
 * outside a transaction; inside one, after commit, or the alternative instead on rollback, with the
 * key's loads in flight revoked at once so that none stores a value read before the commit; and,
 * scheduled from another synchronization's {@code afterCommit}, before the commit returns.
 */
class CacheWriteSchedulerTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCache cache = this.managers.local("books").getTieredCache("books");

	private final CacheWriteScheduler scheduler = new CacheWriteScheduler();

	private final TransactionTemplate transactions = TestTransactions.template();

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final ExecutorService loader = Executors.newSingleThreadExecutor();

	@AfterEach
	void close() throws Exception {
		this.loader.shutdownNow();
		this.managers.close();
	}

	@Test
	void outsideATransactionTheWriteRunsAtOnce() {
		this.scheduler.schedule(this.cache, "k", () -> this.events.add("write"), () -> this.events.add("otherwise"));
		this.events.add("returned");
		assertThat(this.events).containsExactly("write", "returned");
	}

	@Test
	void inATransactionTheWriteRunsAfterCommit() {
		this.transactions.executeWithoutResult((status) -> {
			this.scheduler.schedule(this.cache, "k", () -> this.events.add("write"), () -> this.events.add("otherwise"));
			this.events.add("transaction body done");
		});
		assertThat(this.events).containsExactly("transaction body done", "write");
	}

	@Test
	void inATransactionThatRollsBackTheAlternativeRunsInstead() {
		this.transactions.executeWithoutResult((status) -> {
			this.scheduler.schedule(this.cache, "k", () -> this.events.add("write"), () -> this.events.add("otherwise"));
			status.setRollbackOnly();
		});
		assertThat(this.events).containsExactly("otherwise");
	}

	@Test
	void aWriteScheduledFromAnotherSynchronizationsAfterCommitRunsBeforeTheCommitReturns() {
		this.transactions.executeWithoutResult((status) -> TransactionSynchronizationManager
			.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					CacheWriteSchedulerTests.this.scheduler.schedule(CacheWriteSchedulerTests.this.cache, "k",
							() -> CacheWriteSchedulerTests.this.events.add("write"));
				}

			}));
		assertThat(this.events).containsExactly("write");
	}

	@Test
	void inATransactionALoadOfTheKeyInFlightStoresNothing() throws Exception {
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<String> load = CompletableFuture
			.supplyAsync(() -> this.cache.get("k", String.class, () -> {
				loading.countDown();
				release.await();
				return "read before the commit";
			}), this.loader);
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		this.transactions.executeWithoutResult((status) -> {
			this.scheduler.schedule(this.cache, "k", () -> this.cache.put("k", "written"));
			release.countDown();
			assertThat(load.join()).as("the caller still gets its value").isEqualTo("read before the commit");
			assertThat(this.cache.get("k")).as("but it is not stored").isNull();
		});
		assertThat(this.cache.get("k", String.class)).isEqualTo("written");
	}

}
