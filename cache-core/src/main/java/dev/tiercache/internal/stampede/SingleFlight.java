package dev.tiercache.internal.stampede;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Runs at most one piece of work per key at a time in this JVM; callers that arrive while it runs
 * wait for it and share its outcome (its value, or the same exception).
 *
 * <p>If the thread running the work is interrupted and the work fails, the waiting callers do not
 * share that failure: one of them runs the work instead. Work that asks for its own key again, on
 * the same thread, fails fast with an {@link IllegalStateException} instead of waiting for itself.
 * A waiting caller that is interrupted gets its interrupt flag back and an
 * {@link IllegalStateException}; the work carries on for the others. Thread-safe.
 */
public final class SingleFlight {

	private final String owner;

	private final ConcurrentHashMap<Object, Flight> calls = new ConcurrentHashMap<>();

	/**
	 * @param owner what the keys belong to, for messages ({@code "cache 'books'"})
	 */
	public SingleFlight(String owner) {
		this.owner = owner;
	}

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
	 * @param onJoin run (once) before waiting on another caller's work, for counting
	 * @param onWaited told how long each wait on another caller's work took, in nanoseconds, however
	 * it ended
	 * @throws IllegalStateException if the calling thread is already running work for the key
	 * @throws Throwable whatever the work threw, unchanged
	 */
	public @Nullable Object execute(Object key, Work work, Runnable onJoin, LongConsumer onWaited) throws Throwable {
		boolean joined = false;
		while (true) {
			Flight mine = new Flight(Thread.currentThread());
			Flight running = this.calls.putIfAbsent(key, mine);
			if (running == null) {
				return run(key, mine, work);
			}
			if (running.thread == Thread.currentThread()) {
				throw new IllegalStateException("Recursive load of key '" + key + "' in " + this.owner
						+ ": the loader reads the same cache and key it is loading");
			}
			if (!joined) {
				onJoin.run();
				joined = true;
			}
			long waitStarted = System.nanoTime();
			Object value;
			try {
				value = join(key, running);
			}
			finally {
				onWaited.accept(System.nanoTime() - waitStarted);
			}
			if (value != Flight.ABANDONED) {
				return value;
			}
		}
	}

	private @Nullable Object run(Object key, Flight mine, Work work) throws Throwable {
		Object value;
		try {
			value = work.run();
		}
		catch (Throwable ex) {
			this.calls.remove(key, mine);
			if (interrupted(ex)) {
				mine.result.complete(Flight.ABANDONED);
			}
			else {
				mine.result.completeExceptionally(ex);
			}
			throw ex;
		}
		this.calls.remove(key, mine);
		mine.result.complete(value);
		return value;
	}

	/** Whether work failed because its thread was interrupted (the flag, or an {@link InterruptedException} as a cause). */
	private static boolean interrupted(Throwable failure) {
		if (Thread.currentThread().isInterrupted()) {
			return true;
		}
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
			if (cause instanceof InterruptedException) {
				return true;
			}
		}
		return false;
	}

	private @Nullable Object join(Object key, Flight running) throws Throwable {
		try {
			return running.result.get();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(
					"Interrupted while waiting for another thread to load key '" + key + "' in " + this.owner, ex);
		}
	}

	/** One piece of work in progress: the thread running it and its outcome. */
	private static final class Flight {

		/** The outcome of work that its thread gave up on; waiters run it themselves. */
		static final Object ABANDONED = new Object();

		final Thread thread;

		final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

		Flight(Thread thread) {
			this.thread = thread;
		}

	}

}
