package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The wait before a partition's next retry round, or before sending an acknowledgment again: the
 * {@code backoff} doubled per round, at least 1 ms and at most {@code max-backoff}, with jitter (between
 * half and all of it, so that instances retrying the same failure spread out). A wait ends at once when
 * the queue {@linkplain FlushGate#halt() halts}. Thread-safe. {@code RetryBackoffTests} checks it.
 */
final class RetryBackoff {

	private final long backoffMillis;

	private final long maxBackoffMillis;

	private final FlushGate gate;

	RetryBackoff(Duration backoff, Duration maxBackoff, FlushGate gate) {
		this.backoffMillis = backoff.toMillis();
		this.maxBackoffMillis = maxBackoff.toMillis();
		this.gate = gate;
	}

	/**
	 * Waits before round {@code round} (1 for the first retry).
	 * @return {@code false} if the queue halted meanwhile, or the thread was interrupted (its flag set
	 * again)
	 */
	boolean pause(int round) {
		return this.gate.pause(delayMillis(round));
	}

	/**
	 * Waits before round {@code round} as {@link #pause(int)} does, but not past {@code deadline} (by
	 * {@link System#nanoTime()}).
	 * @return {@code false} if the queue halted meanwhile, or the thread was interrupted (its flag set
	 * again)
	 */
	boolean pause(int round, long deadline) {
		long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
		return this.gate.pause(Math.max(0, Math.min(delayMillis(round), left)));
	}

	/** How long to wait before round {@code round}, jitter included. */
	long delayMillis(int round) {
		long base = this.backoffMillis << Math.min(round - 1, 30);
		long capped = Math.min(Math.max(base, 1), this.maxBackoffMillis);
		return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
	}

}
