package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A monotonic clock that costs one volatile read: a daemon thread copies {@link System#nanoTime()}
 * into it every {@link #TICK}. L1 expiry reads it on every hit, where {@code nanoTime()} itself
 * would cost several times the rest of the hit on some virtual machines. It lags real time by at
 * most one tick, so L1 entries may live up to one tick longer than their lifetime.
 *
 * <p>Once the thread stops, because the clock was {@linkplain #close() closed} or the thread died,
 * {@link #read()} falls back to {@code System.nanoTime()}, so that L1 entries still expire.
 * Thread-safe.
 */
final class CoarseClock implements AutoCloseable {

	static final Duration TICK = Duration.ofMillis(5);

	/** The value {@link #nanos} holds once the ticking thread has stopped. */
	private static final long STOPPED = Long.MIN_VALUE;

	private final Thread ticker;

	private volatile long nanos = System.nanoTime();

	private volatile boolean closed;

	CoarseClock() {
		this.ticker = new Thread(this::tick, "tiercache-clock");
		this.ticker.setDaemon(true);
		this.ticker.start();
	}

	private void tick() {
		try {
			long tickNanos = TICK.toNanos();
			while (!this.closed && !Thread.currentThread().isInterrupted()) {
				this.nanos = System.nanoTime();
				LockSupport.parkNanos(tickNanos);
			}
		}
		finally {
			this.nanos = STOPPED;
		}
	}

	/** The current time in nanoseconds, comparable with {@code System.nanoTime()}. */
	long read() {
		long now = this.nanos;
		return (now != STOPPED) ? now : System.nanoTime();
	}

	@Override
	public void close() {
		this.closed = true;
		this.ticker.interrupt();
	}

}
