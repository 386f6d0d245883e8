package dev.tiercache.autoconfigure.warming;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/** The progress of one warmer: counters its calls update from several threads. Thread-safe. */
final class WarmerRun {

	enum State {
		WAITING, RUNNING, DONE, FAILED, STOPPED
	}

	private final Warmer warmer;

	private final AtomicLong keys = new AtomicLong();

	private final AtomicLong warmed = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile State state = State.WAITING;

	private volatile long startedAt;

	private volatile long endedAt;

	private volatile @Nullable String error;

	WarmerRun(Warmer warmer) {
		this.warmer = warmer;
	}

	Warmer warmer() {
		return this.warmer;
	}

	void started() {
		this.startedAt = System.nanoTime();
		this.state = State.RUNNING;
	}

	void yielded() {
		this.keys.incrementAndGet();
	}

	void warmed() {
		this.warmed.incrementAndGet();
	}

	/** @return whether it is the first call of this warmer to fail */
	boolean callFailed() {
		return this.failed.incrementAndGet() == 1;
	}

	/** Ends the run; one that never started (stopped first) ends at its start, having run no time. */
	void ended(State state, @Nullable String error) {
		long now = System.nanoTime();
		if (this.state == State.WAITING) {
			this.startedAt = now;
		}
		this.endedAt = now;
		this.error = error;
		this.state = state;
	}

	long millis() {
		if (this.state == State.WAITING) {
			return 0;
		}
		long end = (this.state == State.RUNNING) ? System.nanoTime() : this.endedAt;
		return TimeUnit.NANOSECONDS.toMillis(end - this.startedAt);
	}

	WarmerProgress progress() {
		return new WarmerProgress(this.warmer.cache(), this.warmer.name(), this.state.name(), this.keys.get(),
				this.warmed.get(), this.failed.get(), millis(), this.error);
	}

	/** One line for the log: {@code 1,200 keys, 1,198 warmed, 2 failed, in 3,402 ms}. */
	String summary() {
		return String.format("%,d keys, %,d warmed, %,d failed, in %,d ms", this.keys.get(), this.warmed.get(),
				this.failed.get(), millis());
	}

}
