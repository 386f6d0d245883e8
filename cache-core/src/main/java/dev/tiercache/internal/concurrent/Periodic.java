package dev.tiercache.internal.concurrent;

import org.apache.commons.logging.Log;

/**
 * Wraps a task run periodically by a {@link java.util.concurrent.ScheduledExecutorService}, which stops
 * scheduling a task for good once it throws: a failure is logged and the next run comes as planned.
 */
public final class Periodic {

	private Periodic() {
	}

	/**
	 * @param what the task, for the log ("renew write-behind partition leases")
	 */
	public static Runnable surviving(Runnable task, Log logger, String what) {
		return () -> {
			try {
				task.run();
			}
			catch (RuntimeException | Error ex) {
				logger.error("Tiercache failed to " + what + "; it is tried again at its next run", ex);
			}
		};
	}

}
