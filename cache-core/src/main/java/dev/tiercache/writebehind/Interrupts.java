package dev.tiercache.writebehind;

/**
 * Runs a call that an interrupt of its thread must not cut short: one that tells Redis about work
 * already done (an acknowledgment, a lease given up), made by a thread that shutdown interrupted
 * while it did that work ({@link BatchApplier}, {@link PartitionFlusher}). Stateless.
 */
final class Interrupts {

	private Interrupts() {
	}

	/**
	 * Runs {@code call} with the calling thread's interrupt flag cleared, and sets the flag again
	 * afterwards if it was set before, however the call ends. An interrupt that arrives during the call
	 * is the call's to handle.
	 * @throws RuntimeException what {@code call} throws
	 */
	static void clearedDuring(Runnable call) {
		boolean interrupted = Thread.interrupted();
		try {
			call.run();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
