package dev.tiercache.autoconfigure.warming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

import dev.tiercache.interceptor.TiercacheOperationSource;
import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Warms the caches once the application is ready: first with the keys the running instances report
 * hottest ({@link HotKeyWarmer}, through the one {@code @CacheAside} method that fills each cache),
 * then with the application's {@link CacheWarmer}s. Finds and checks them when the singletons are
 * created (a warmer that does not fit fails start-up), then, on a thread of its own, runs them one after
 * another, each warmer's calls of its cached method on a pool of
 * {@code concurrency} threads, never more at a time, while the warmer's elements are read as they come.
 * Progress is logged every {@value #PROGRESS_SECONDS} seconds and when a warmer ends, and read by
 * {@link #progress()}. Warming runs once per context, at its first ready event; its threads end with
 * it. When the application stops, the warming stops first (before the web server and the caches):
 * calls in flight are interrupted and no new one starts (a call that ignores its interrupt may run on
 * past the context's close, on a daemon thread). Thread-safe.
 */
public final class CacheWarming
		implements SmartInitializingSingleton, ApplicationListener<ApplicationReadyEvent>, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(CacheWarming.class);

	static final int PROGRESS_SECONDS = 5;

	private final ListableBeanFactory beanFactory;

	private final int concurrency;

	private final int hotKeys;

	private final ExecutorService coordinator = Executors
		.newSingleThreadExecutor(DaemonThreads.named("tiercache-warming"));

	private final ExecutorService calls;

	private volatile List<WarmerRun> runs = List.of();

	private volatile boolean running;

	/** Whether the application was ready once: warming runs once per context. */
	private final AtomicBoolean warmed = new AtomicBoolean();

	/**
	 * @param beanFactory where the warmers are found, and their beans got
	 * @param concurrency how many calls of cached methods run at a time, at least 1
	 * @param hotKeys how many of the keys the running instances report hottest to warm each cache with,
	 * through the one {@code @CacheAside} method that fills it ({@link HotKeyWarmer}), before the warmers
	 * run; 0 for none
	 */
	public CacheWarming(ListableBeanFactory beanFactory, int concurrency, int hotKeys) {
		if (concurrency < 1) {
			throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
		}
		if (hotKeys < 0) {
			throw new IllegalArgumentException("hotKeys must be 0 or more, not " + hotKeys);
		}
		this.beanFactory = beanFactory;
		this.concurrency = concurrency;
		this.hotKeys = hotKeys;
		this.calls = Executors.newFixedThreadPool(concurrency, DaemonThreads.numbered("tiercache-warming-"));
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<Warmer> warmers = new ArrayList<>();
		TieredCacheManager manager = this.beanFactory.getBeanProvider(TieredCacheManager.class).getIfUnique();
		TiercacheOperationSource operations = this.beanFactory.getBeanProvider(TiercacheOperationSource.class)
			.getIfUnique();
		if (this.hotKeys > 0 && manager != null && operations != null) {
			warmers.addAll(HotKeyWarmer.findIn(this.beanFactory, operations, manager, this.hotKeys));
		}
		warmers.addAll(WarmerMethod.findIn(this.beanFactory));
		this.runs = warmers.stream().map(WarmerRun::new).toList();
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (event.getApplicationContext().getBeanFactory() != this.beanFactory
				|| !this.warmed.compareAndSet(false, true)) {
			return;
		}
		if (this.runs.isEmpty()) {
			letThreadsGo();
			return;
		}
		try {
			this.coordinator.execute(this::runAll);
		}
		catch (RejectedExecutionException ex) {
			// stopped before the application was ready
		}
	}

	/** How far each warmer got, in the order they run. */
	public List<WarmerProgress> progress() {
		return this.runs.stream().map(WarmerRun::progress).toList();
	}

	/** Runs every warmer, one after another, then lets the threads go. */
	private void runAll() {
		try {
			for (WarmerRun run : this.runs) {
				if (this.running && !Thread.currentThread().isInterrupted()) {
					run(run);
				}
				else {
					run.ended(WarmerRun.State.STOPPED, null);
				}
			}
		}
		finally {
			letThreadsGo();
		}
	}

	/** Once warming is over: its threads end as soon as they are idle. */
	private void letThreadsGo() {
		this.calls.shutdown();
		this.coordinator.shutdown();
	}

	private void run(WarmerRun run) {
		Warmer warmer = run.warmer();
		run.started();
		logger.info("Tiercache warming cache '" + warmer.cache() + "' with " + warmer.name());
		Semaphore slots = new Semaphore(this.concurrency);
		ProgressLog progress = new ProgressLog(run);
		Throwable failure = null;
		try {
			Object bean = this.beanFactory.getBean(warmer.beanName());
			warmer.yieldTo(bean, (element) -> {
				slots.acquire();
				run.yielded();
				try {
					this.calls.execute(() -> warmOne(run, bean, element, slots));
				}
				catch (RejectedExecutionException ex) {
					slots.release();
					throw new InterruptedException("warming stopped");
				}
				progress.logIfDue();
			});
		}
		catch (Throwable ex) {
			failure = ex;
		}
		boolean finished = awaitCalls(slots, progress);
		if (!this.running || !finished || failure instanceof InterruptedException) {
			run.ended(WarmerRun.State.STOPPED, null);
			logger.info("Tiercache stopped warming cache '" + warmer.cache() + "' (the application stops): "
					+ run.summary());
		}
		else if (failure != null) {
			run.ended(WarmerRun.State.FAILED, String.valueOf(failure));
			logger.warn("Tiercache warmer " + warmer.name() + " of cache '" + warmer.cache() + "' failed after "
					+ run.summary(), failure);
			if (failure instanceof VirtualMachineError error) {
				throw error;
			}
		}
		else {
			run.ended(WarmerRun.State.DONE, null);
			logger.info("Tiercache warmed cache '" + warmer.cache() + "' with " + warmer.name() + ": " + run.summary());
		}
	}

	/**
	 * Waits until the run's calls in flight ended.
	 * @return {@code false} if the thread was interrupted first (its flag kept)
	 */
	private boolean awaitCalls(Semaphore slots, ProgressLog progress) {
		try {
			while (!slots.tryAcquire(this.concurrency, PROGRESS_SECONDS, TimeUnit.SECONDS)) {
				progress.logIfDue();
			}
			slots.release(this.concurrency);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void warmOne(WarmerRun run, Object bean, @Nullable Object element, Semaphore slots) {
		try {
			if (this.running) {
				run.warmer().warm(bean, element);
				run.warmed();
			}
		}
		catch (InterruptedException ex) {
			// stopped with the application: not a failure of the call
			Thread.currentThread().interrupt();
		}
		catch (Throwable ex) {
			if (!this.running) {
				logger.debug("Tiercache stopped warming cache '" + run.warmer().cache() + "' during a call", ex);
				return;
			}
			if (run.callFailed()) {
				logger.warn("Tiercache could not warm cache '" + run.warmer().cache() + "' with a key of "
						+ run.warmer().name() + " (further failures are logged at debug level, with their keys)", ex);
			}
			else {
				logger.debug("Tiercache could not warm cache '" + run.warmer().cache() + "' with " + element, ex);
			}
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
		}
		finally {
			slots.release();
		}
	}

	/** Logs a warmer's progress every {@value #PROGRESS_SECONDS} seconds at most; the coordinator's only. */
	private static final class ProgressLog {

		private final WarmerRun run;

		private long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);

		ProgressLog(WarmerRun run) {
			this.run = run;
		}

		void logIfDue() {
			long now = System.nanoTime();
			if (now - this.due >= 0) {
				this.due = now + TimeUnit.SECONDS.toNanos(PROGRESS_SECONDS);
				logger.info("Tiercache warming cache '" + this.run.warmer().cache() + "' with "
						+ this.run.warmer().name() + ": " + this.run.summary());
			}
		}

	}

	@Override
	public void start() {
		this.running = true;
	}

	/** Stops the warming: interrupts the calls in flight and starts none any more. */
	@Override
	public void stop() {
		this.running = false;
		stopExecutors();
	}

	private void stopExecutors() {
		this.coordinator.shutdownNow();
		this.calls.shutdownNow();
		DaemonThreads.stop(this.coordinator, Duration.ofSeconds(1));
		DaemonThreads.stop(this.calls, Duration.ofSeconds(1));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops before the web server ({@code DEFAULT_PHASE - 1024}), write-behind and the cache manager. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
