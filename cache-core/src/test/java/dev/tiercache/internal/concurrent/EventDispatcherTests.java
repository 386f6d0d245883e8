package dev.tiercache.internal.concurrent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link EventDispatcher} delivers events off the publishing thread, in order, one at a time; never
 * blocks a publisher (events beyond its queue are dropped and counted); survives a listener that
 * throws; and delivers what waits when closed.
 */
class EventDispatcherTests {

	private final EventDispatcher dispatcher = new EventDispatcher("tiercache-test-events");

	private final List<Object> delivered = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.dispatcher.close();
	}

	@Test
	void eventsAreDeliveredInOrderOnAThreadOtherThanThePublishers() {
		List<Thread> threads = new CopyOnWriteArrayList<>();
		this.dispatcher.publishTo((event) -> {
			threads.add(Thread.currentThread());
			this.delivered.add(event);
		});
		IntStream.range(0, 100).forEach(this.dispatcher::publish);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == 100);
		assertThat(this.delivered).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
		assertThat(threads).doesNotContain(Thread.currentThread())
			.allSatisfy((thread) -> assertThat(thread.getName()).isEqualTo("tiercache-test-events"));
	}

	@Test
	void aBlockedListenerBlocksNoPublisherAndEventsBeyondTheQueueAreDroppedAndCounted() throws InterruptedException {
		CountDownLatch release = listenerBlockedInEvent(-1);
		IntStream.range(0, EventDispatcher.CAPACITY + 10).forEach(this.dispatcher::publish);
		assertThat(this.dispatcher.dropped()).isEqualTo(10);
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == EventDispatcher.CAPACITY + 1);
		assertThat(this.delivered).startsWith(-1, 0, 1).endsWith(EventDispatcher.CAPACITY - 1);
	}

	@Test
	void aStateChangeIsNeverDroppedTheOldestDroppableEventMakesRoomForIt() throws InterruptedException {
		CountDownLatch release = listenerBlockedInEvent(-1);
		IntStream.range(0, EventDispatcher.CAPACITY).forEach(this.dispatcher::publish);
		this.dispatcher.publishStateChange("stopped");
		this.dispatcher.publishStateChange("resumed");
		this.dispatcher.publish("dropped, the queue is full");
		assertThat(this.dispatcher.dropped()).as("the two oldest events and the last one").isEqualTo(3);
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == EventDispatcher.CAPACITY + 1);
		assertThat(this.delivered).startsWith(-1, 2, 3).endsWith(EventDispatcher.CAPACITY - 1, "stopped", "resumed");
	}

	@Test
	void aListenerThatThrowsDoesNotStopLaterEvents() {
		this.dispatcher.publishTo((event) -> {
			if (event.equals("bad")) {
				throw new IllegalStateException("a listener's bug");
			}
			this.delivered.add(event);
		});
		this.dispatcher.publish("before");
		this.dispatcher.publish("bad");
		this.dispatcher.publish("after");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == 2);
		assertThat(this.delivered).containsExactly("before", "after");
	}

	@Test
	void aListenerThatInterruptsItsThreadDoesNotStopLaterEvents() {
		this.dispatcher.publishTo((event) -> {
			this.delivered.add(event);
			Thread.currentThread().interrupt();
		});
		this.dispatcher.publish("first");
		this.dispatcher.publish("second");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == 2);
		assertThat(this.delivered).containsExactly("first", "second");
	}

	@Test
	void closeDeliversTheEventsStillWaitingAndLaterOnesGoNowhere() throws InterruptedException {
		CountDownLatch inListener = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.dispatcher.publishTo((event) -> {
			inListener.countDown();
			awaitQuietly(release);
			this.delivered.add(event);
		});
		IntStream.range(0, 20).forEach(this.dispatcher::publish);
		assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
		release.countDown();
		this.dispatcher.close();
		assertThat(this.delivered).as("delivered by the time close() returns")
			.containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
		this.dispatcher.publish("after close");
		assertThat(this.dispatcher.dropped()).isZero();
		assertThat(this.delivered).hasSize(20);
	}

	/**
	 * A listener still busy when {@code close()} stops waiting for it ({@link EventDispatcher#CLOSE_WAIT}):
	 * the events behind it are dropped, and the thread, once the listener returns, delivers nothing more
	 * and ends. Before, it went on delivering them to the closed context.
	 */
	@Test
	void aListenerStillBusyWhenCloseGivesUpIsTheLastOne() throws InterruptedException {
		CountDownLatch inListener = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.dispatcher.publishTo((event) -> {
			inListener.countDown();
			awaitUninterruptibly(release);
			this.delivered.add(event);
		});
		IntStream.range(0, 3).forEach(this.dispatcher::publish);
		assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
		this.dispatcher.close();
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
			.noneMatch((thread) -> thread.getName().startsWith("tiercache-test-events")));
		assertThat(this.delivered).containsExactly(0);
	}

	/** Sets a listener that records events once released, and holds its thread in the delivery of {@code first}. */
	private CountDownLatch listenerBlockedInEvent(Object first) throws InterruptedException {
		CountDownLatch inListener = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.dispatcher.publishTo((event) -> {
			inListener.countDown();
			awaitQuietly(release);
			this.delivered.add(event);
		});
		this.dispatcher.publish(first);
		assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
		return release;
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (true) {
			try {
				latch.await();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void withoutAPublisherEventsGoNowhereAndNoThreadStarts() {
		EventDispatcher unused = new EventDispatcher("tiercache-test-unused-events");
		unused.publish("nowhere");
		assertThat(Thread.getAllStackTraces().keySet())
			.noneMatch((thread) -> thread.getName().equals("tiercache-test-unused-events"));
		unused.close();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
