package dev.tiercache.strategy;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.tiercache.tier.TieredCache;

/**
 * Decides when a pattern's cache write happens. Outside a transaction: now. Inside a Spring
 * transaction (one with synchronization, as every Spring transaction manager opens): the key's load
 * leases are revoked now, so that no load running during the transaction can store a value, and the
 * write itself runs after commit, or not at all on rollback. Thread-safe and stateless.
 */
public final class CacheWriteScheduler {

	/**
	 * Runs {@code write} now or after commit.
	 * @param key the key the write is about, whose leases are revoked at once inside a transaction;
	 * {@code null} for a write about the whole cache
	 */
	public void schedule(TieredCache cache, @Nullable Object key, Runnable write) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			write.run();
			return;
		}
		if (key != null) {
			cache.revokeLoads(key);
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCommit() {
				write.run();
			}

		});
	}

}
