package dev.tiercache.internal.concurrent;

import java.time.Duration;

/**
 * Lets one event through per interval, the first one always: for warnings that would otherwise flood
 * the log while a failure lasts. Thread-safe.
 */
public final class RateLimit {

	private final long intervalNanos;

	private long lastNanos;

	private boolean used;

	public RateLimit(Duration interval) {
		this.intervalNanos = interval.toNanos();
	}

	/** Whether this event may pass: the first one, and then one per interval. */
	public synchronized boolean allow() {
		long now = System.nanoTime();
		if (this.used && now - this.lastNanos < this.intervalNanos) {
			return false;
		}
		this.used = true;
		this.lastNanos = now;
		return true;
	}

}
