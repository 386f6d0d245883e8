package dev.tiercache.internal.stampede;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wakes callers waiting for a key when another instance stores, releases or writes it.
 *
 * <p>{@link LoadSubscription} hands it the messages of the channel {@link LeaseLocks} publishes to. A caller
 * {@linkplain #register registers} before it checks Redis, so a message published between its check
 * and its wait is not lost. Messages can still be lost (a broken subscription), so waits are always
 * bounded by the caller. Thread-safe.
 */
public final class LoadNotifications {

	private final ConcurrentHashMap<ByteBuffer, Set<Waiter>> waiters = new ConcurrentHashMap<>();

	/** Registers interest in a value key; close the returned waiter when done. */
	public Waiter register(byte[] valueKey) {
		Waiter waiter = new Waiter(ByteBuffer.wrap(valueKey));
		this.waiters.computeIfAbsent(waiter.key, (key) -> ConcurrentHashMap.newKeySet()).add(waiter);
		return waiter;
	}

	/** Signals the callers registered for the value key a message named. */
	public void wake(byte[] valueKey) {
		Set<Waiter> registered = this.waiters.get(ByteBuffer.wrap(valueKey));
		if (registered != null) {
			registered.forEach(Waiter::signal);
		}
	}

	/**
	 * One caller's registration. Signals received before {@link #await} are kept.
	 */
	public final class Waiter implements AutoCloseable {

		private final ByteBuffer key;

		private volatile CountDownLatch signal = new CountDownLatch(1);

		private Waiter(ByteBuffer key) {
			this.key = key;
		}

		/**
		 * Waits until signalled or until the time is up, then re-arms for the next wait.
		 * @return whether a signal arrived
		 * @throws InterruptedException if interrupted while waiting
		 */
		public boolean await(long timeoutMillis) throws InterruptedException {
			CountDownLatch current = this.signal;
			boolean signalled = current.await(timeoutMillis, TimeUnit.MILLISECONDS);
			if (signalled) {
				this.signal = new CountDownLatch(1);
			}
			return signalled;
		}

		private void signal() {
			this.signal.countDown();
		}

		@Override
		public void close() {
			LoadNotifications.this.waiters.computeIfPresent(this.key, (key, set) -> {
				set.remove(this);
				return set.isEmpty() ? null : set;
			});
		}

	}

}
