package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * A monotonic clock that costs one volatile read: a daemon thread copies {@link System#nanoTime()}
 * into it every {@link #TICK}. L1 expiry reads it on every hit, where {@code nanoTime()} itself
 * would cost several times the rest of the hit on some virtual machines. It lags real time by at
 * most one tick, so L1 entries may live up to one tick longer than their lifetime. Thread-safe;
 * {@link #close()} stops the thread.
 */
final class CoarseClock implements Ticker, AutoCloseable {

	static final Duration TICK = Duration.ofMillis(5);

	private final ScheduledExecutorService ticker;

	private volatile long nanos = System.nanoTime();

	CoarseClock() {
		this.ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "tiercache-clock");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.scheduleAtFixedRate(() -> this.nanos = System.nanoTime(), TICK.toNanos(), TICK.toNanos(),
				TimeUnit.NANOSECONDS);
	}

	@Override
	public long read() {
		return this.nanos;
	}

	@Override
	public void close() {
		this.ticker.shutdownNow();
	}

}
