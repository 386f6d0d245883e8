package dev.tiercache.autoconfigure.writebehind;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Shared by the instances of one test (or one per instance): counts the write method's calls and the
 * threads they ran on, and can make the writer fail for some keys, slow, or hold (every write, or the
 * writes of one key) until released.
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

	/** Per held key: the latch a write of it waits on, and the one it opens on arrival. */
	private final Map<Long, CountDownLatch[]> heldKeys = new ConcurrentHashMap<>();

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

	/** Holds the writes of one key until {@link #release(long)}. */
	public void hold(long id) {
		this.heldKeys.put(id, new CountDownLatch[] { new CountDownLatch(1), new CountDownLatch(1) });
	}

	public void release(long id) {
		CountDownLatch[] latches = this.heldKeys.get(id);
		if (latches != null) {
			latches[0].countDown();
		}
	}

	/** Waits until a write of a key {@linkplain #hold(long) held} is being held. */
	public boolean awaitHeld(long id) throws InterruptedException {
		return this.heldKeys.get(id)[1].await(30, TimeUnit.SECONDS);
	}

	/** Releases every write held. */
	public void releaseAll() {
		release();
		this.heldKeys.values().forEach((latches) -> latches[0].countDown());
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
			await(this.hold);
		}
		CountDownLatch[] key = this.heldKeys.get(id);
		if (key != null && key[0].getCount() > 0) {
			key[1].countDown();
			await(key[0]);
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

	private static void await(CountDownLatch latch) {
		try {
			latch.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

}
