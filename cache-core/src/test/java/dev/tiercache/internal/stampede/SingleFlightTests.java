package dev.tiercache.internal.stampede;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Waits for another thread's run of the same key are bounded (issue 16 item 14): a hung run is taken
 * over, runs that wait for each other across keys end, and the waits are counted and timed. Real
 * threads.
 */
class SingleFlightTests {

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
	}

	@Test
	void callerTakesAHungRunOverAfterMaxWaitAndLaterCallersWaitForItsRun() throws Throwable {
		CountedWaits waits = new CountedWaits();
		Duration maxWait = Duration.ofSeconds(2);
		SingleFlight flights = new SingleFlight("cache 'books'", maxWait, waits);
		CountDownLatch hungRunning = new CountDownLatch(1);
		CountDownLatch releaseHung = new CountDownLatch(1);
		Future<Object> hung = submit(flights, "k", (tookOver) -> {
			hungRunning.countDown();
			releaseHung.await();
			return "late";
		});
		assertThat(hungRunning.await(10, TimeUnit.SECONDS)).isTrue();
		CountDownLatch takerRunning = new CountDownLatch(1);
		CountDownLatch releaseTaker = new CountDownLatch(1);
		AtomicBoolean takerToldItTookOver = new AtomicBoolean();
		Future<Object> taker = submit(flights, "k", (tookOver) -> {
			takerToldItTookOver.set(tookOver);
			takerRunning.countDown();
			releaseTaker.await();
			return "fresh";
		});
		assertThat(takerRunning.await(30, TimeUnit.SECONDS)).as("the waiting caller took the hung run over").isTrue();
		Future<Object> later = submit(flights, "k", (tookOver) -> "not run");
		await().atMost(Duration.ofSeconds(10)).until(() -> waits.joined.get() == 2);
		releaseTaker.countDown();
		assertThat(taker.get(10, TimeUnit.SECONDS)).isEqualTo("fresh");
		assertThat(later.get(10, TimeUnit.SECONDS)).as("a later caller waits for the run that took over")
			.isEqualTo("fresh");
		assertThat(takerToldItTookOver).isTrue();
		assertThat(waits.tookOver).hasValue(1);
		assertThat(waits.waits).as("the wait that ran out and the later caller's wait").hasValue(2);
		assertThat(waits.longest.get()).as("the wait that ran out lasted its bound")
			.isGreaterThanOrEqualTo(maxWait.toNanos());
		releaseHung.countDown();
		assertThat(hung.get(10, TimeUnit.SECONDS)).as("the run given up on still ends for its caller")
			.isEqualTo("late");
		assertThat(flights.execute("k", (tookOver) -> "next")).as("no run is left registered").isEqualTo("next");
	}

	@Test
	void runsThatWaitForEachOtherAcrossCachesAllEnd() throws Exception {
		SingleFlight books = new SingleFlight("cache 'books'", Duration.ofMillis(500), new CountedWaits());
		SingleFlight authors = new SingleFlight("cache 'authors'", Duration.ofMillis(500), new CountedWaits());
		CyclicBarrier bothRunning = new CyclicBarrier(2);
		Future<Object> book = submit(books, "dune", (tookOver) -> {
			bothRunning.await(10, TimeUnit.SECONDS);
			return "dune by " + authors.execute("herbert", (again) -> "herbert");
		});
		Future<Object> author = submit(authors, "herbert", (tookOver) -> {
			bothRunning.await(10, TimeUnit.SECONDS);
			return "herbert, author of " + books.execute("dune", (again) -> "dune");
		});
		assertThat(book.get(30, TimeUnit.SECONDS)).asString().startsWith("dune by herbert");
		assertThat(author.get(30, TimeUnit.SECONDS)).asString().startsWith("herbert, author of dune");
	}

	@Test
	void interruptedWaiterGetsItsFlagBackThenAnExceptionNamingTheKey() throws Exception {
		CountedWaits waits = new CountedWaits();
		SingleFlight flights = new SingleFlight("cache 'books'", Duration.ofMinutes(5), waits);
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Future<Object> run = submit(flights, "k", (tookOver) -> {
			running.countDown();
			release.await();
			return "loaded";
		});
		assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
		AtomicReference<Thread> waiter = new AtomicReference<>();
		AtomicBoolean flagAfterwards = new AtomicBoolean();
		Future<Throwable> waited = this.executor.submit(() -> {
			waiter.set(Thread.currentThread());
			try {
				flights.execute("k", (tookOver) -> "not run");
				return null;
			}
			catch (Throwable ex) {
				flagAfterwards.set(Thread.currentThread().isInterrupted());
				return ex;
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> waits.joined.get() == 1);
		waiter.get().interrupt();
		assertThat(waited.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("Interrupted while waiting for another thread to load key 'k' in cache 'books'")
			.hasCauseInstanceOf(InterruptedException.class);
		assertThat(flagAfterwards).isTrue();
		assertThat(waits.waits).hasValue(1);
		assertThat(waits.tookOver).hasValue(0);
		release.countDown();
		assertThat(run.get(10, TimeUnit.SECONDS)).as("the run carries on").isEqualTo("loaded");
	}

	private Future<Object> submit(SingleFlight flights, String key, SingleFlight.Work work) {
		return this.executor.submit(() -> {
			try {
				return flights.execute(key, work);
			}
			catch (Exception | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new ExecutionException(ex);
			}
		});
	}

	/** Counts what a {@link SingleFlight} tells about the callers that wait. */
	static final class CountedWaits implements SingleFlight.Waits {

		final AtomicInteger joined = new AtomicInteger();

		final AtomicInteger waits = new AtomicInteger();

		final AtomicLong longest = new AtomicLong();

		final AtomicInteger tookOver = new AtomicInteger();

		@Override
		public void joined() {
			this.joined.incrementAndGet();
		}

		@Override
		public void waited(long nanos) {
			this.waits.incrementAndGet();
			this.longest.accumulateAndGet(nanos, Math::max);
		}

		@Override
		public void tookOver() {
			this.tookOver.incrementAndGet();
		}

	}

}
