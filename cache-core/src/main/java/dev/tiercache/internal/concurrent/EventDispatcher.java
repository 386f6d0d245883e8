package dev.tiercache.internal.concurrent;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes events to an {@link ApplicationEventPublisher} on a thread of its own, so that listeners
 * never run on (nor slow down) the thread that saw the change.
 *
 * <p><b>Guarantees.</b> {@link #publish} never blocks and never throws. Events are delivered one at a
 * time, in the order they were published, on one daemon thread, started with the first event. At most
 * {@value #CAPACITY} events wait: one published while that many wait is dropped, counted in
 * {@link #dropped()} and logged (as a warning at most every 30 s), except a
 * {@linkplain #publishStateChange state change}, for which the oldest other event is dropped
 * ({@code EventDispatcherTests.aStateChangeIsNeverDroppedTheOldestDroppableEventMakesRoomForIt}). A listener that throws is logged,
 * and the next event is still delivered (also after a listener that interrupted the thread). Before a
 * publisher is {@linkplain #publishTo set} (outside a Spring container) and after {@link #close()},
 * events go nowhere. {@code close()} delivers the events still waiting, for at most
 * {@link #CLOSE_WAIT}; then it drops those still waiting, forgets the publisher and interrupts the
 * thread, which delivers nothing more and ends once the listener it is in returns
 * ({@code EventDispatcherTests.aListenerStillBusyWhenCloseGivesUpIsTheLastOne}). Holds nothing but its publisher and the waiting
 * events, so that what publishes through it keeps nothing else alive.
 * Thread-safe.
 */
public final class EventDispatcher implements AutoCloseable {

	/** How many events may wait for delivery, at most. */
	public static final int CAPACITY = 1024;

	/** How long {@link #close()} waits for the waiting events to be delivered, at most. */
	public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(EventDispatcher.class);

	/** Tells the thread that no event follows. */
	private static final Object END = new Object();

	/** An event handed over by {@link #publishStateChange}, which is never dropped for another. */
	private record StateChange(Object event) {
	}

	private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(CAPACITY);

	private final String threadName;

	private final LongAdder dropped = new LongAdder();

	private final RateLimit dropWarnings = new RateLimit(Duration.ofSeconds(30));

	private volatile @Nullable ApplicationEventPublisher publisher;

	/** The delivering thread once started; set under this. */
	private volatile @Nullable Thread thread;

	private volatile boolean closed;

	/** Whether {@link #close()} gave up waiting: the events still waiting are dropped. */
	private volatile boolean abandoned;

	/**
	 * @param threadName the name of the delivering thread ("tiercache-events")
	 */
	public EventDispatcher(String threadName) {
		this.threadName = threadName;
	}

	/** Where events go from now on (the application context). */
	public void publishTo(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	/** Hands an event to the delivering thread, or drops it (and counts it) if too many wait; never blocks. */
	public void publish(Object event) {
		if (this.publisher == null || this.closed) {
			return;
		}
		startIfNeeded();
		if (!this.queue.offer(event)) {
			dropped(event);
		}
	}

	/**
	 * Hands over an event that tells a state its listeners keep until the next such event (Redis calls
	 * stopped, then resumed): it is not dropped while an event published with {@link #publish} waits,
	 * the oldest of which is dropped (and counted) to make room. Never blocks.
	 */
	public void publishStateChange(Object event) {
		if (this.publisher == null || this.closed) {
			return;
		}
		startIfNeeded();
		StateChange change = new StateChange(event);
		while (!this.queue.offer(change)) {
			Object oldest = oldestDroppable();
			if (oldest == null) {
				dropped(event);
				return;
			}
			if (this.queue.remove(oldest)) {
				dropped(oldest);
			}
		}
	}

	private @Nullable Object oldestDroppable() {
		for (Object waiting : this.queue) {
			if (!(waiting instanceof StateChange) && waiting != END) {
				return waiting;
			}
		}
		return null;
	}

	private void dropped(Object event) {
		this.dropped.increment();
		if (this.dropWarnings.allow()) {
			logger.warn("Tiercache dropped " + event + ": " + CAPACITY + " events wait for slow listeners on thread '"
					+ this.threadName + "' (further drops within 30 s are not logged)");
		}
	}

	/** How many events were dropped because too many waited. */
	public long dropped() {
		return this.dropped.sum();
	}

	/**
	 * Delivers the events still waiting, waiting for at most {@link #CLOSE_WAIT}, and stops the thread;
	 * events published later go nowhere. An interrupt while waiting stops the wait and is kept on the
	 * calling thread.
	 */
	@Override
	public void close() {
		Thread delivering;
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			delivering = this.thread;
		}
		if (delivering == null || delivering == Thread.currentThread()) {
			return;
		}
		this.queue.offer(END);
		try {
			delivering.join(CLOSE_WAIT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.abandoned = true;
			this.publisher = null;
			delivering.interrupt();
		}
	}

	private void startIfNeeded() {
		if (this.thread != null) {
			return;
		}
		synchronized (this) {
			if (this.thread == null && !this.closed) {
				Thread started = DaemonThreads.named(this.threadName).newThread(this::deliver);
				this.thread = started;
				started.start();
			}
		}
	}

	/**
	 * Delivers events until {@link #END}, or, once closed (when {@code END} may not have fit), until
	 * none waits.
	 */
	private void deliver() {
		try {
			while (!this.abandoned) {
				Object event = this.closed ? this.queue.poll() : this.queue.take();
				if (event == null || event == END) {
					return;
				}
				deliverOne(event);
				if (!this.closed) {
					Thread.interrupted(); // a listener's interrupt of its own thread must not end delivery
				}
			}
		}
		catch (InterruptedException ex) {
			// closing gave up waiting
		}
		// the events still waiting, if closing gave up on them, are dropped
		this.queue.clear();
	}

	private void deliverOne(Object waiting) {
		ApplicationEventPublisher target = this.publisher;
		Object event = (waiting instanceof StateChange change) ? change.event() : waiting;
		try {
			if (target != null) {
				target.publishEvent(event);
			}
		}
		catch (RuntimeException | Error ex) {
			logger.warn("Tiercache could not deliver " + event + " to every listener", ex);
		}
	}

}
