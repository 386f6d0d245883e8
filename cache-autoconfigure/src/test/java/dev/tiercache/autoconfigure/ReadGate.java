package dev.tiercache.autoconfigure;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts database reads and can hold the next one after it read its row, so that a test can make a
 * write happen while a load holds old data.
 */
final class ReadGate {

	final AtomicInteger reads = new AtomicInteger();

	private volatile CountDownLatch readHeld = new CountDownLatch(0);

	private volatile CountDownLatch released = new CountDownLatch(0);

	/** Holds the next read, after it read its row, until {@link #release()}. */
	void holdNextRead() {
		this.readHeld = new CountDownLatch(1);
		this.released = new CountDownLatch(1);
	}

	/** Waits until the held read has read its row. */
	boolean awaitHeldRead() throws InterruptedException {
		return this.readHeld.await(10, TimeUnit.SECONDS);
	}

	void release() {
		this.released.countDown();
	}

	/** Called by the "database" after each read. */
	void afterRead() {
		this.reads.incrementAndGet();
		if (this.readHeld.getCount() > 0) {
			this.readHeld.countDown();
			try {
				this.released.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
