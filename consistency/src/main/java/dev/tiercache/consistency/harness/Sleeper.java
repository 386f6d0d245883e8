package dev.tiercache.consistency.harness;

import java.time.Duration;

/** Pauses of the harness's own schedule (the nemesis's timing, polling a process); never used to wait for a result. */
final class Sleeper {

	private Sleeper() {
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

}
