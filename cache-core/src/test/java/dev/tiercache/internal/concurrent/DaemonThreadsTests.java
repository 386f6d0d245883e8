package dev.tiercache.internal.concurrent;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DaemonThreads#finish}: a task under way ends by itself before anything interrupts it, even when
 * the caller is interrupted (an interrupted Lettuce connect goes on opening its connection); a task that
 * does not end in time is interrupted; delayed tasks never start; the caller's interrupt is kept.
 */
class DaemonThreadsTests {

	@Test
	void aTaskUnderWayEndsUninterruptedEvenWhenTheCallerIsInterrupted() throws Exception {
		ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("finish-test"));
		CountDownLatch running = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		executor.execute(() -> {
			running.countDown();
			long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
			while (System.nanoTime() < end) {
				if (Thread.currentThread().isInterrupted()) {
					interrupted.set(true);
					return;
				}
				Thread.onSpinWait();
			}
		});
		running.await();
		Thread.currentThread().interrupt();
		try {
			DaemonThreads.finish(executor, Duration.ofSeconds(10));
			assertThat(Thread.currentThread().isInterrupted()).as("the caller's interrupt").isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(executor.isTerminated()).isTrue();
		assertThat(interrupted).as("the task was interrupted").isFalse();
	}

	@Test
	void aTaskThatDoesNotEndInTimeIsInterruptedAndDelayedTasksNeverStart() throws Exception {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("finish-test"));
		executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		AtomicBoolean delayedRan = new AtomicBoolean();
		executor.schedule(() -> delayedRan.set(true), 50, TimeUnit.MILLISECONDS);
		CountDownLatch running = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		executor.execute(() -> {
			running.countDown();
			try {
				Thread.sleep(60_000);
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		});
		running.await();
		DaemonThreads.finish(executor, Duration.ofMillis(200));
		assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		assertThat(interrupted).as("the task was interrupted").isTrue();
		assertThat(delayedRan).as("the delayed task ran").isFalse();
	}

}
