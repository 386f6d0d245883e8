package dev.tiercache.consistency.harness;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Pauses of the harness's own schedule (the nemesis's timing), and polling until a server or process is
 * ready; never used to wait for a call's result.
 */
final class Sleeper {

	private Sleeper() {
	}

	/**
	 * Polls {@code condition} every 20 ms until it holds; a condition that throws (a server that does not
	 * answer yet) does not hold.
	 * @throws IllegalStateException naming {@code what} if it did not hold within {@code within}
	 */
	static void until(String what, Duration within, BooleanSupplier condition) {
		long deadline = System.nanoTime() + within.toNanos();
		RuntimeException last = null;
		while (true) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				last = ex;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Not within " + within + ": " + what, last);
			}
			sleep(Duration.ofMillis(20));
		}
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
