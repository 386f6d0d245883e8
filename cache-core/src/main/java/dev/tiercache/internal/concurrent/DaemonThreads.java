package dev.tiercache.internal.concurrent;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for Tiercache's background work: daemon threads, so that they never keep a JVM
 * alive, with names that say what they do; and how such work is stopped. Thread-safe.
 */
public final class DaemonThreads {

	private DaemonThreads() {
	}

	/** Threads all named {@code name}, for single-thread executors. */
	public static ThreadFactory named(String name) {
		return (task) -> daemon(task, name);
	}

	/** Threads named {@code prefix1}, {@code prefix2}, …, for pools. */
	public static ThreadFactory numbered(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> daemon(task, prefix + count.incrementAndGet());
	}

	/**
	 * Interrupts an executor's tasks and waits up to {@code wait} for them to end; an interrupt while
	 * waiting stops the wait and is kept on the calling thread.
	 */
	public static void stop(ExecutorService executor, Duration wait) {
		executor.shutdownNow();
		try {
			executor.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Lets the task under way end by itself, waiting up to {@code wait} even if the calling thread is
	 * interrupted (tasks not yet started are dropped if the executor drops delayed tasks at shutdown), and
	 * only then interrupts it and waits as long again: for tasks that an interrupt would leave with work
	 * going on behind them, as Lettuce's connect, which goes on opening the connection it no longer
	 * returns. An interrupt of the calling thread is kept.
	 */
	public static void finish(ExecutorService executor, Duration wait) {
		executor.shutdown();
		boolean interrupted = Thread.interrupted();
		long deadline = System.nanoTime() + wait.toNanos();
		boolean ended = false;
		while (!ended) {
			try {
				ended = executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
						|| deadline - System.nanoTime() <= 0;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (!executor.isTerminated()) {
			stop(executor, wait);
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

}
