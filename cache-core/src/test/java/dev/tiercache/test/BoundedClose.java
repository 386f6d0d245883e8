package dev.tiercache.test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Closes what a test opened, failing the test instead of hanging the build when the close never ends.
 * Lettuce 7.5's {@code AbstractRedisClient.shutdown} waits for ever when, as it shuts down, a cluster node
 * connection still holds a command for a node that is down: the client may close the cluster's connection
 * provider before the connection that owns it, and the node connection's close, which hands its commands
 * back to that connection, then throws half-way and never completes. The close runs on a daemon thread
 * of its own; past the limit, the failure carries that thread's stack, and the thread is left behind.
 */
public final class BoundedClose {

	/** Far above any close seen (a context closes in under 3 s, Lettuce's shutdown timeout is 2 s). */
	public static final Duration LIMIT = Duration.ofSeconds(60);

	private BoundedClose() {
	}

	/**
	 * Runs {@code close}, rethrowing what it throws, and fails with an {@link AssertionError} naming
	 * {@code what} if it has not returned within {@link #LIMIT}.
	 */
	public static void run(String what, Runnable close) {
		FutureTask<Void> task = new FutureTask<>(close, null);
		Thread closing = new Thread(task, "closing " + what);
		closing.setDaemon(true);
		closing.start();
		try {
			task.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			AssertionError hung = new AssertionError(what + " did not close within " + LIMIT + " (Lettuce's client "
					+ "shutdown waits for ever for a connection that holds a command for a node that is down)");
			Throwable stack = new Throwable("where the closing thread waits");
			stack.setStackTrace(closing.getStackTrace());
			hung.addSuppressed(stack);
			throw hung;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while closing " + what, ex);
		}
	}

}
