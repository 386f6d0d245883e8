package dev.tiercache.internal.concurrent;

import org.jspecify.annotations.Nullable;

/**
 * Closes the parts of something that shuts down, in order, each whatever the others did: a part that
 * throws (an {@code InterruptedException} of a thread interrupted during shutdown, say) does not leave
 * the parts after it open. The first failure is thrown once every part was closed, with the later ones
 * suppressed; an interrupt is kept on the calling thread. Stateless.
 */
public final class Closing {

	private Closing() {
	}

	/**
	 * Closes every part that is not {@code null}, in order.
	 * @throws RuntimeException the first failure (a checked one wrapped in an {@link IllegalStateException}),
	 * after every part was closed
	 * @throws Error the first failure, if it was an {@code Error}
	 */
	public static void all(@Nullable AutoCloseable... parts) {
		Throwable first = null;
		boolean interrupted = false;
		for (AutoCloseable part : parts) {
			if (part == null) {
				continue;
			}
			try {
				part.close();
			}
			catch (Throwable ex) {
				interrupted |= ex instanceof InterruptedException;
				if (first == null) {
					first = ex;
				}
				else {
					first.addSuppressed(ex);
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		if (first instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (first instanceof Error error) {
			throw error;
		}
		if (first != null) {
			throw new IllegalStateException("Tiercache could not close every part: " + first.getMessage(), first);
		}
	}

}
