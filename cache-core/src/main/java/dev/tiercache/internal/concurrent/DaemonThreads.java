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

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

}
