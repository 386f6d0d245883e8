package dev.tiercache.internal.stampede;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * Runs at most one piece of work per key at a time in this JVM; callers that arrive while it runs
 * wait for it and share its outcome (its value, or the same exception).
 *
 * <p>A wait is bounded, as a wait for another instance's lease is: a caller that has waited
 * {@code maxWait} for a run takes the work over. It runs the work itself, told that it
 * {@linkplain Work#run took over}, and callers that arrive after that wait for its run; the run it
 * gave up on goes on, and its outcome still reaches the callers that were waiting for it (each of
 * them takes over once its own wait runs out). So a hung run holds its key for at most
 * {@code maxWait}, and runs that wait for each other (the work for key A needs key B while the work
 * for B needs A, on two threads) all end.
 *
 * <p>If the thread running the work is interrupted and the work fails, the waiting callers do not
 * share that failure: one of them runs the work instead. Work that asks for its own key again, on
 * the same thread, fails fast with an {@link IllegalStateException} instead of waiting for itself.
 * A waiting caller that is interrupted gets its interrupt flag back and an
 * {@link IllegalStateException}; the work carries on for the others. Thread-safe.
 */
public final class SingleFlight {

	private final String owner;

	private final long maxWaitNanos;

	private final Waits waits;

	private final ConcurrentHashMap<Object, Flight> calls = new ConcurrentHashMap<>();

	/**
	 * @param owner what the keys belong to, for messages ({@code "cache 'books'"})
	 * @param maxWait how long a caller waits for another caller's run before it takes the work over
	 * @param waits told about the callers that wait, for counting and timing
	 */
	public SingleFlight(String owner, Duration maxWait, Waits waits) {
		this.owner = owner;
		this.maxWaitNanos = maxWait.toNanos();
		this.waits = waits;
	}

	/**
	 * Work that produces a value and may throw anything.
	 */
	@FunctionalInterface
	public interface Work {

		/**
		 * @param tookOver whether the caller runs the work after giving up on another caller's run of
		 * it, which may still be going on (and hold what it holds)
		 */
		@Nullable Object run(boolean tookOver) throws Throwable;

	}

	/**
	 * What is told about the callers that find another caller's run going on.
	 */
	public interface Waits {

		/** A caller is about to wait for another caller's run (once per caller, however often it waits). */
		void joined();

		/** A caller's wait ended, however it ended (a value, an exception, an interrupt, its bound). */
		void waited(long nanos);

		/** A caller waited {@code maxWait} in vain and takes the work over. */
		void tookOver();

	}

	/**
	 * Runs {@code work} unless another caller is running it for {@code key}, in which case waits for
	 * and returns that caller's result, or takes the work over once it has waited {@code maxWait}.
	 * @throws IllegalStateException if the calling thread is already running work for the key, or is
	 * interrupted while it waits
	 * @throws Throwable whatever the work threw, unchanged
	 */
	public @Nullable Object execute(Object key, Work work) throws Throwable {
		boolean joined = false;
		while (true) {
			Flight mine = new Flight(Thread.currentThread());
			Flight running = this.calls.putIfAbsent(key, mine);
			if (running == null) {
				return run(key, mine, work, false);
			}
			if (running.thread == Thread.currentThread()) {
				throw recursive(key);
			}
			if (!joined) {
				this.waits.joined();
				joined = true;
			}
			Object value = await(key, running);
			if (value == Flight.TIMED_OUT) {
				if (this.calls.replace(key, running, mine)) {
					this.waits.tookOver();
					return run(key, mine, work, true);
				}
				// the run ended, or another caller took it over: go again
			}
			else if (value != Flight.ABANDONED) {
				return value;
			}
		}
	}

	/**
	 * Starts a run for {@code key} that the caller carries out itself, as part of a larger piece of work
	 * (a batch of keys): callers of {@link #execute} for the key wait for it as for any run. The caller
	 * must end it, on every way out, with {@link Run#finish}, {@link Run#fail} or {@link Run#abandon}.
	 * @return the run, or {@code null} if another caller's run of the key is going on
	 * @throws IllegalStateException if the calling thread is already running work for the key
	 */
	public @Nullable Run begin(Object key) {
		Flight mine = new Flight(Thread.currentThread());
		Flight running = this.calls.putIfAbsent(key, mine);
		if (running == null) {
			return new Run(key, mine);
		}
		if (running.thread == Thread.currentThread()) {
			throw recursive(key);
		}
		return null;
	}

	private @Nullable Object run(Object key, Flight mine, Work work, boolean tookOver) throws Throwable {
		Run run = new Run(key, mine);
		Object value;
		try {
			value = work.run(tookOver);
		}
		catch (Throwable ex) {
			run.fail(ex);
			throw ex;
		}
		run.finish(value);
		return value;
	}

	private IllegalStateException recursive(Object key) {
		return new IllegalStateException("Recursive load of key '" + key + "' in " + this.owner
				+ ": the loader reads the same cache and key it is loading");
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

	/** Waits at most {@code maxWait} for a run's outcome; {@link Flight#TIMED_OUT} if it did not come. */
	private @Nullable Object await(Object key, Flight running) throws Throwable {
		long started = System.nanoTime();
		try {
			return running.result.get(this.maxWaitNanos, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			return Flight.TIMED_OUT;
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(
					"Interrupted while waiting for another thread to load key '" + key + "' in " + this.owner, ex);
		}
		finally {
			this.waits.waited(System.nanoTime() - started);
		}
	}

	/**
	 * A run of one key's work, begun by {@link #begin} (or {@link #execute}): ended once, by its value or
	 * its failure, which reach the callers waiting for it. Not thread-safe: ended by the thread that
	 * began it.
	 */
	public final class Run {

		private final Object key;

		private final Flight flight;

		private Run(Object key, Flight flight) {
			this.key = key;
			this.flight = flight;
		}

		/** Ends the run with its value: the callers waiting for it return it. */
		public void finish(@Nullable Object value) {
			SingleFlight.this.calls.remove(this.key, this.flight);
			this.flight.result.complete(value);
		}

		/**
		 * Ends the run with a failure, which the callers waiting for it throw; or, if the failure comes of
		 * the thread's interrupt, with none: one of them runs the work instead.
		 */
		public void fail(Throwable failure) {
			if (interrupted(failure)) {
				abandon();
				return;
			}
			SingleFlight.this.calls.remove(this.key, this.flight);
			this.flight.result.completeExceptionally(failure);
		}

		/**
		 * Ends the run without an outcome, for work given up on for another key's failure: one of the
		 * callers waiting for it runs the work instead.
		 */
		public void abandon() {
			SingleFlight.this.calls.remove(this.key, this.flight);
			this.flight.result.complete(Flight.ABANDONED);
		}

	}

	/** One piece of work in progress: the thread running it and its outcome. */
	private static final class Flight {

		/** The outcome of work that its thread gave up on; waiters run it themselves. */
		static final Object ABANDONED = new Object();

		/** What a wait returns when the outcome did not come in time. */
		static final Object TIMED_OUT = new Object();

		final Thread thread;

		final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

		Flight(Thread thread) {
			this.thread = thread;
		}

	}

}
