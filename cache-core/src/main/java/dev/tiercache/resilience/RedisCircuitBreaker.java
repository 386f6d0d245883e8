package dev.tiercache.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;

/**
 * The circuit breaker in front of one Redis (one connection factory), built on resilience4j's
 * {@link CircuitBreaker}: every Redis call Tiercache makes through it is recorded, and once the calls
 * in its sliding window fail or are slow at the configured rates, it <em>opens</em>: no call is sent to
 * Redis until Redis answers again, so callers never wait for a Redis that is down, black-holed or
 * struggling.
 *
 * <p><b>Probing.</b> Callers never probe. While open, a background thread waits the configured
 * {@linkplain CircuitBreakerConfig#getWaitIntervalFunctionInOpenState() wait in the open state}, then
 * moves the breaker to half-open and sends the permitted number of {@code PING}s through a
 * {@linkplain #probeWith registered probe}. If they pass, the breaker closes; otherwise it opens again
 * and waits again.
 *
 * <p><b>Recovery.</b> When it closes after being open, the {@linkplain #onRecovery recovery actions}
 * run on the probing thread (replaying writes Redis missed, clearing L1, whose invalidations may have
 * been lost) and only then are callers admitted again. They may spread independent calls over the
 * {@linkplain #recoveryExecutor() recovery threads}, which are admitted meanwhile too. A breaker built with
 * {@link #disabled()} admits every call and never opens. Thread-safe.
 */
public final class RedisCircuitBreaker implements AutoCloseable {

	/** The name of the resilience4j breaker, as metrics and logs show it. */
	public static final String NAME = "tiercache-redis";

	/** How many {@linkplain #recoveryExecutor() recovery threads} may call Redis at once. */
	public static final int RECOVERY_THREADS = 8;

	private static final Log logger = LogFactory.getLog(RedisCircuitBreaker.class);

	private static final CircuitBreakerConfig DEFAULTS = CircuitBreakerConfig.custom()
		.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
		.slidingWindowSize(20)
		.minimumNumberOfCalls(10)
		.failureRateThreshold(50)
		.slowCallRateThreshold(50)
		// well above a young-generation GC pause of the client, which makes every call in flight look slow
		.slowCallDurationThreshold(Duration.ofMillis(200))
		.waitDurationInOpenState(Duration.ofMillis(500))
		.permittedNumberOfCallsInHalfOpenState(3)
		.slidingWindowSynchronizationStrategy(SlidingWindowSynchronizationStrategy.LOCK_FREE)
		.writableStackTraceEnabled(false)
		.build();

	private final CircuitBreaker breaker;

	private final ScheduledExecutorService prober = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-redis-probe"));

	/** Runs the recovery actions' independent calls, on threads admitted while they run; idle, none is kept. */
	private final ThreadPoolExecutor recoveryWorkers = new ThreadPoolExecutor(RECOVERY_THREADS, RECOVERY_THREADS, 1,
			TimeUnit.SECONDS, new LinkedBlockingQueue<>(), RecoveryWorker::new);

	private final List<Probe> probes = new CopyOnWriteArrayList<>();

	private final List<Runnable> recoveryActions = new CopyOnWriteArrayList<>();

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	/** Whether callers may call Redis; the only field the hot path reads. Written under this. */
	private volatile boolean admitting = true;

	/** The thread running recovery actions, which may call Redis before callers are admitted again. */
	private volatile @Nullable Thread recovering;

	/** Probes that failed in a row, for the wait before the next (guarded by the probing thread). */
	private int failedProbes;

	private long openedAt;

	/** The probe waiting to run, if any. Guarded by this. */
	private @Nullable ScheduledFuture<?> nextProbe;

	/** What the probe waiting to run holds, so that it runs only if it is still the one due. Guarded by this. */
	private @Nullable Object dueProbe;

	/**
	 * A breaker with {@linkplain #defaults() Tiercache's defaults}.
	 */
	public RedisCircuitBreaker() {
		this(defaults().build());
	}

	/**
	 * A breaker with the given settings. The sliding window, thresholds, the wait in the open state and
	 * the number of probes in the half-open state are taken from {@code config}; its automatic
	 * transition to half-open is not used (the breaker probes by itself).
	 */
	public RedisCircuitBreaker(CircuitBreakerConfig config) {
		this.breaker = CircuitBreaker.of(NAME, config);
		this.recoveryWorkers.allowCoreThreadTimeOut(true);
	}

	/** A breaker that records nothing and never stops calls to Redis. */
	public static RedisCircuitBreaker disabled() {
		RedisCircuitBreaker disabled = new RedisCircuitBreaker();
		disabled.breaker.transitionToDisabledState();
		return disabled;
	}

	/**
	 * Tiercache's defaults, to adjust (any setting may be set again): a window of the last 20 calls,
	 * judged once 10 are in it; open at 50 % failures or 50 % of calls slower than 200 ms; probe after
	 * 500 ms with 3 {@code PING}s.
	 */
	public static CircuitBreakerConfig.Builder defaults() {
		return CircuitBreakerConfig.from(DEFAULTS);
	}

	/**
	 * Whether the calling thread may call Redis now: {@code false} while the breaker is open or
	 * half-open, and while it recovers (except for the recovery actions themselves and the
	 * {@linkplain #recoveryExecutor() recovery threads}). One volatile read while the breaker is closed.
	 */
	public boolean admits() {
		return this.admitting || isRecovering(Thread.currentThread());
	}

	private boolean isRecovering(Thread thread) {
		Thread recovering = this.recovering;
		return recovering != null
				&& (recovering == thread || (thread instanceof RecoveryWorker worker && worker.owner() == this));
	}

	/**
	 * Where recovery actions may run calls that do not depend on each other, {@value #RECOVERY_THREADS}
	 * at a time: its threads are admitted while the recovery actions run, and refused as other callers are
	 * at any other time. An action that uses it waits for its tasks before it returns.
	 */
	public Executor recoveryExecutor() {
		return this.recoveryWorkers;
	}

	/** The breaker's state. */
	public CircuitBreaker.State state() {
		return this.breaker.getState();
	}

	/** The resilience4j breaker, to read its metrics or bind them to a registry. */
	public CircuitBreaker circuitBreaker() {
		return this.breaker;
	}

	/** Records a call that Redis answered, and how long it took. */
	public void succeeded(long elapsedNanos) {
		this.breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
		checkOpened();
	}

	/** Records a call that failed because Redis was unreachable, did not answer in time, or refused work. */
	public void failed(long elapsedNanos, Throwable failure) {
		this.breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, failure);
		checkOpened();
	}

	private void checkOpened() {
		if (this.admitting && this.breaker.getState() == CircuitBreaker.State.OPEN) {
			opened();
		}
	}

	private void opened() {
		synchronized (this) {
			if (!this.admitting || this.breaker.getState() != CircuitBreaker.State.OPEN) {
				return;
			}
			this.admitting = false;
			this.openedAt = System.nanoTime();
			this.failedProbes = 0;
		}
		tell(Listener::stopped);
		CircuitBreaker.Metrics metrics = this.breaker.getMetrics();
		logger.warn("Tiercache stopped calling Redis: " + metrics.getFailureRate() + " % of the last "
				+ metrics.getNumberOfBufferedCalls() + " calls failed and " + metrics.getSlowCallRate()
				+ " % were slow. Caches serve from L1 and their loaders; Redis is probed in the background"
				+ " (settings: 'tiercache.redis.breaker.*')");
		scheduleProbe();
	}

	private void scheduleProbe() {
		long wait = this.breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState()
			.apply(this.failedProbes + 1);
		schedule(wait);
	}

	private synchronized void schedule(long wait) {
		Object due = new Object();
		try {
			this.nextProbe = this.prober.schedule(() -> probeIfDue(due), wait, TimeUnit.MILLISECONDS);
			this.dueProbe = due;
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/** Probes, unless {@link #probeNow()} replaced this probe by another (it may have started already). */
	private void probeIfDue(Object due) {
		synchronized (this) {
			if (this.dueProbe != due) {
				return;
			}
			this.dueProbe = null;
			this.nextProbe = null;
		}
		probe();
	}

	/**
	 * Probes at once instead of at the end of the wait in the open state, when something shows that Redis
	 * may answer again (a Redis Cluster's topology changed, so a replica may have taken a failed
	 * primary's place). Does nothing unless a probe is waiting: while the breaker is closed, or while a
	 * probe runs.
	 */
	public synchronized void probeNow() {
		ScheduledFuture<?> next = this.nextProbe;
		if (this.dueProbe != null && next != null) {
			next.cancel(false);
			schedule(0);
		}
	}

	/**
	 * Registers what probes Redis while the breaker is open; the first one registered and not
	 * {@linkplain #removeProbe removed} is used.
	 */
	public void probeWith(Probe probe) {
		this.probes.add(probe);
	}

	/** Stops using a probe (its connection is closed). */
	public void removeProbe(Probe probe) {
		this.probes.remove(probe);
	}

	/**
	 * Adds an action to run when Redis answers again after the breaker was open, before callers are
	 * admitted. Actions run in the order added, on the probing thread; one that throws is logged and
	 * does not stop the others, but callers are then not admitted: the breaker opens again, probes after
	 * its wait, and runs every action again once Redis answers.
	 */
	public void onRecovery(Runnable action) {
		this.recoveryActions.add(action);
	}

	/**
	 * Adds a listener, told when the breaker stops calling Redis and when it admits callers again (after
	 * the recovery actions). Called on the thread that saw the change; one that throws is logged and
	 * does not stop the others.
	 */
	public void listen(Listener listener) {
		this.listeners.add(listener);
	}

	private void tell(Consumer<Listener> event) {
		for (Listener listener : this.listeners) {
			try {
				event.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("Tiercache's Redis breaker listener " + listener + " failed", ex);
			}
		}
	}

	private void probe() {
		if (this.breaker.getState() == CircuitBreaker.State.OPEN) {
			this.breaker.transitionToHalfOpenState();
		}
		while (this.breaker.getState() == CircuitBreaker.State.HALF_OPEN && this.breaker.tryAcquirePermission()) {
			long started = System.nanoTime();
			try {
				firstProbe().ping();
				this.breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			}
			catch (Throwable ex) {
				this.breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, ex);
				if (ex instanceof Error error) {
					logger.error("Tiercache's Redis probe failed with an error", error);
				}
			}
		}
		switch (this.breaker.getState()) {
			case CLOSED -> recover();
			case OPEN -> {
				this.failedProbes++;
				scheduleProbe();
			}
			default -> {
				// disabled or forced by hand: the breaker is not ours to move any more
			}
		}
	}

	private Probe firstProbe() {
		for (Probe probe : this.probes) {
			return probe;
		}
		throw new IllegalStateException("No Redis connection to probe with");
	}

	/**
	 * Runs the recovery actions on this thread, which may call Redis meanwhile, then admits callers;
	 * unless Redis failed again during them, in which case it probes again later.
	 */
	private void recover() {
		boolean recovered = true;
		this.recovering = Thread.currentThread();
		try {
			for (Runnable action : this.recoveryActions) {
				try {
					action.run();
				}
				catch (RuntimeException | Error ex) {
					// callers must not use Redis before what it missed is made: probe again, and recover then
					recovered = false;
					logger.warn("Tiercache could not finish a recovery action after Redis came back; it probes Redis "
							+ "again before callers use it", ex);
				}
			}
		}
		finally {
			this.recovering = null;
		}
		synchronized (this) {
			if (!recovered && this.breaker.getState() == CircuitBreaker.State.CLOSED) {
				this.breaker.transitionToOpenState();
			}
			if (this.breaker.getState() == CircuitBreaker.State.CLOSED) {
				this.admitting = true;
			}
		}
		if (this.admitting) {
			Duration outage = Duration.ofNanos(System.nanoTime() - this.openedAt);
			logger.info("Tiercache is calling Redis again, " + outage.toMillis() + " ms after it stopped");
			tell((listener) -> listener.resumed(outage));
		}
		else if (this.breaker.getState() == CircuitBreaker.State.OPEN) {
			this.failedProbes++;
			scheduleProbe();
		}
	}

	/** Stops probing. */
	@Override
	public void close() {
		DaemonThreads.stop(this.prober, Duration.ofSeconds(1));
		this.recoveryWorkers.shutdownNow();
		// whatever outlives the manager and still holds the breaker must not keep its caches alive
		this.listeners.clear();
		this.recoveryActions.clear();
		this.probes.clear();
	}

	/** A thread of the {@linkplain #recoveryExecutor() recovery executor}: a daemon, admitted while recovering. */
	private final class RecoveryWorker extends Thread {

		private static final AtomicInteger count = new AtomicInteger();

		RecoveryWorker(Runnable task) {
			super(task, "tiercache-redis-recovery-" + count.incrementAndGet());
			setDaemon(true);
		}

		RedisCircuitBreaker owner() {
			return RedisCircuitBreaker.this;
		}

	}

	/** What is told when the breaker stops and resumes calling Redis. */
	public interface Listener {

		/** The breaker opened: callers no longer call Redis. */
		void stopped();

		/** Callers call Redis again, {@code outage} after it stopped. */
		void resumed(Duration outage);

	}

	/** A cheap call that shows whether Redis answers. */
	@FunctionalInterface
	public interface Probe {

		/**
		 * Calls Redis once, waiting at most the Redis timeout.
		 * @throws RuntimeException if Redis did not answer
		 */
		void ping();

	}

}
