package dev.tiercache.strategy;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.tiercache.tier.TieredCache;

/**
 * Decides when a pattern's cache write happens. Outside a transaction: now. Inside a Spring
 * transaction (one with synchronization, as every Spring transaction manager opens): the key's load
 * leases are revoked now, so that no load running during the transaction can store a value, and the
 * write itself runs after commit, or not at all on rollback. A write made from another
 * synchronization's {@code afterCommit} (synchronization is still active then, but Spring has already
 * chosen whom to call back) runs once the transaction completes, before {@code commit} returns.
 * Thread-safe and stateless.
 */
public final class CacheWriteScheduler {

	/**
	 * Runs {@code write} now or after commit.
	 * @param key the key the write is about, whose leases are revoked at once inside a transaction;
	 * {@code null} for a write about the whole cache
	 */
	public void schedule(TieredCache cache, @Nullable Object key, Runnable write) {
		schedule(cache, key, write, NOTHING);
	}

	/**
	 * Runs {@code write} now or after commit, and {@code otherwise} instead if the transaction does not
	 * commit.
	 * @param key the key the write is about, whose leases are revoked at once inside a transaction;
	 * {@code null} for a write about the whole cache
	 */
	public void schedule(TieredCache cache, @Nullable Object key, Runnable write, Runnable otherwise) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			write.run();
			return;
		}
		if (key != null) {
			cache.coordinatedWrites().revokeLoads(key);
		}
		TransactionSynchronizationManager.registerSynchronization(new AfterCommit(write, otherwise));
	}

	private static final Runnable NOTHING = () -> {
	};

	/**
	 * Runs a write once, after commit: at {@code afterCommit}; or, if Spring does not call that (the
	 * synchronization was registered during {@code afterCommit}, or an earlier one threw there), at
	 * {@code afterCompletion} of a committed transaction, which Spring calls on every synchronization
	 * registered by then. At the completion of a transaction that did not commit, runs the alternative.
	 */
	private static final class AfterCommit implements TransactionSynchronization {

		private final Runnable write;

		private final Runnable otherwise;

		private final AtomicBoolean done = new AtomicBoolean();

		AfterCommit(Runnable write, Runnable otherwise) {
			this.write = write;
			this.otherwise = otherwise;
		}

		@Override
		public void afterCommit() {
			runOnce(this.write);
		}

		@Override
		public void afterCompletion(int status) {
			runOnce((status == STATUS_COMMITTED) ? this.write : this.otherwise);
		}

		private void runOnce(Runnable action) {
			if (this.done.compareAndSet(false, true)) {
				action.run();
			}
		}

	}

}
