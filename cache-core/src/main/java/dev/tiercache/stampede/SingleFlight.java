package dev.tiercache.stampede;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Runs at most one piece of work per key at a time in this JVM; callers that arrive while it runs
 * wait for it and share its outcome (its value, or the same exception).
 *
 * <p>Thread-safe. A waiting caller that is interrupted gets its interrupt flag back and an
 * {@link IllegalStateException}; the work itself carries on for the others.
 */
public final class SingleFlight {

	private final ConcurrentHashMap<Object, CompletableFuture<@Nullable Object>> calls = new ConcurrentHashMap<>();

	/**
	 * Work that produces a value and may throw anything.
	 */
	@FunctionalInterface
	public interface Work {

		@Nullable Object run() throws Throwable;

	}

	/**
	 * Runs {@code work} unless another caller is running it for {@code key}, in which case waits for
	 * and returns that caller's result.
	 * @param onJoin run before waiting on another caller's work, for counting
	 * @throws Throwable whatever the work threw, unchanged
	 */
	public @Nullable Object execute(Object key, Work work, Runnable onJoin) throws Throwable {
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> running = this.calls.putIfAbsent(key, mine);
		if (running != null) {
			onJoin.run();
			return join(key, running);
		}
		try {
			Object value = work.run();
			mine.complete(value);
			return value;
		}
		catch (Throwable ex) {
			mine.completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.calls.remove(key, mine);
		}
	}

	private static @Nullable Object join(Object key, CompletableFuture<@Nullable Object> running) throws Throwable {
		try {
			return running.get();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for another thread to load key " + key, ex);
		}
	}

}
