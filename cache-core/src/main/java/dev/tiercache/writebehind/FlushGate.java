package dev.tiercache.writebehind;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether one queue's flushers may go on: once {@linkplain #stop() stopping} no flush takes a partition
 * any more (the drain takes those no instance holds itself), and once {@linkplain #halt() halted} no
 * call is made and every retry wait ends at once. Both only ever go from {@code false} to {@code true}.
 * Thread-safe.
 */
final class FlushGate {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition haltSignal = this.lock.newCondition();

	private volatile boolean stopping;

	private volatile boolean halted;

	/** The queue drains: from now on no flush takes a partition. */
	void stop() {
		this.stopping = true;
	}

	/** Whether the queue is draining or drained. */
	boolean stopping() {
		return this.stopping;
	}

	/** No call may be made any more; retry waits end now. */
	void halt() {
		this.lock.lock();
		try {
			this.halted = true;
			this.haltSignal.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	boolean halted() {
		return this.halted;
	}

	/**
	 * Waits between retries.
	 * @return {@code false} if the queue halted meanwhile, or the thread was interrupted (its flag set
	 * again)
	 */
	boolean pause(long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		this.lock.lock();
		try {
			long remaining;
			while (!this.halted && (remaining = deadline - System.nanoTime()) > 0) {
				this.haltSignal.awaitNanos(remaining);
			}
			return !this.halted;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

}
