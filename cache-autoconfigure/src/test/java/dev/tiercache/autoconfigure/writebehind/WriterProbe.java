package dev.tiercache.autoconfigure.writebehind;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Shared by the instances of one test: counts the write method's calls and the threads they ran on,
 * and can make the writer fail for some keys, slow, or hold until released.
 */
public final class WriterProbe {

	public final AtomicInteger calls = new AtomicInteger();

	public final AtomicInteger batchCalls = new AtomicInteger();

	public final AtomicInteger reads = new AtomicInteger();

	public final Set<String> threads = ConcurrentHashMap.newKeySet();

	public final Set<Long> failing = ConcurrentHashMap.newKeySet();

	/** Values whose writes fail, as a row the database refuses would. */
	public final Set<Price> refused = ConcurrentHashMap.newKeySet();

	/** Writes that ran while a transaction's synchronization was bound to their thread. */
	public final AtomicInteger writesInsideATransaction = new AtomicInteger();

	public volatile long delayMillis;

	private volatile CountDownLatch hold = new CountDownLatch(0);

	private final CountDownLatch held = new CountDownLatch(1);

	/** Holds every write until {@link #release()}. */
	public void holdWrites() {
		this.hold = new CountDownLatch(1);
	}

	public void release() {
		this.hold.countDown();
	}

	/** Waits until a write is being held. */
	public boolean awaitHeldWrite() throws InterruptedException {
		return this.held.await(20, TimeUnit.SECONDS);
	}

	void beforeWrite(Price price) {
		beforeWrite(price.id());
		if (this.refused.contains(price)) {
			throw new IllegalStateException(price + " is refused by the test database");
		}
	}

	void beforeWrite(long id) {
		this.threads.add(Thread.currentThread().getName());
		this.calls.incrementAndGet();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			this.writesInsideATransaction.incrementAndGet();
		}
		if (this.hold.getCount() > 0) {
			this.held.countDown();
			try {
				this.hold.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted", ex);
			}
		}
		if (this.failing.contains(id)) {
			throw new IllegalStateException("price " + id + " is refused by the test database");
		}
		long delay = this.delayMillis;
		if (delay > 0) {
			try {
				Thread.sleep(delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted", ex);
			}
		}
	}

}
