package dev.tiercache.tracing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.TieredCache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ObservationCacheTracer} on a local cache, with Micrometer's {@link TestObservationRegistry}: a
 * load of a missed key is one {@code tiercache.load} observation with low-cardinality key values only,
 * current while the loader runs; a failed load is one with {@code result=failure} and the exception, which
 * is wrapped for the caller as Spring's {@code Cache} contract asks; an L1 hit observes nothing; an
 * observation handler that fails never fails the load.
 * Write-behind flushes: {@code WriteBehindTracingTests}.
 */
class ObservationCacheTracerTests {

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final TestManagers managers = new TestManagers();

	private final TieredCache books = this.managers
		.local((builder) -> builder.tracer(new ObservationCacheTracer(this.registry)), "books")
		.getTieredCache("books");

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void aLoadIsOneObservationCurrentWhileTheLoaderRunsAndAHitObservesNothing() {
		AtomicReference<Observation> current = new AtomicReference<>();
		String value = this.books.get(1L, () -> {
			current.set(this.registry.getCurrentObservation());
			return "title 1";
		});
		assertThat(value).isEqualTo("title 1");
		assertThat(this.books.get(1L, () -> "loaded again")).as("an L1 hit").isEqualTo("title 1");

		TestObservationRegistryAssert.assertThat(this.registry)
			.hasNumberOfObservationsEqualTo(1)
			.hasObservationWithNameEqualTo("tiercache.load")
			.that()
			.hasContextualNameEqualTo("tiercache.load books")
			.hasLowCardinalityKeyValue("cache", "books")
			.hasLowCardinalityKeyValue("tier", "loader")
			.hasLowCardinalityKeyValue("result", "success")
			.doesNotHaveError()
			.hasBeenStarted()
			.hasBeenStopped();
		assertThat(current.get()).as("the loader runs within the observation").isNotNull();
		assertThat(current.get().getContext().getName()).isEqualTo("tiercache.load");
	}

	@Test
	void aFailedLoadIsObservedAsAnErrorAndItsExceptionReachesTheCaller() {
		IllegalStateException failure = new IllegalStateException("the database is down");
		assertThatThrownBy(() -> this.books.get(2L, () -> {
			throw failure;
		})).as("Spring's ValueRetrievalException around the loader's exception").hasCause(failure);

		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("tiercache.load")
			.that()
			.hasLowCardinalityKeyValue("result", "failure")
			.hasError()
			.hasBeenStopped();
	}

	/**
	 * An observation handler that throws, when the observation starts or when it stops: the load still
	 * runs once and returns its value, and the thread's current observation is left as it was.
	 */
	@Test
	void aFailingObservationHandlerNeverFailsTheLoad() {
		AtomicInteger loads = new AtomicInteger();
		for (String failingAt : List.of("start", "stop")) {
			ObservationRegistry failing = ObservationRegistry.create();
			failing.observationConfig().observationHandler(new ObservationHandler<>() {

				@Override
				public void onStart(Observation.Context context) {
					fail("start");
				}

				@Override
				public void onStop(Observation.Context context) {
					fail("stop");
				}

				private void fail(String at) {
					if (at.equals(failingAt)) {
						throw new IllegalStateException("a handler failing at " + at);
					}
				}

				@Override
				public boolean supportsContext(Observation.Context context) {
					return true;
				}

			});
			TieredCache cache = this.managers
				.local((builder) -> builder.tracer(new ObservationCacheTracer(failing)), "failing-" + failingAt)
				.getTieredCache("failing-" + failingAt);
			assertThat(cache.get(1L, () -> "loaded " + loads.incrementAndGet())).as(failingAt)
				.isEqualTo("loaded " + loads.get());
			assertThat(failing.getCurrentObservation()).as("current observation after a failure at " + failingAt)
				.isNull();
		}
		assertThat(loads).hasValue(2);
	}

	@Test
	void withoutATracerNothingIsObserved() {
		TieredCache untraced = this.managers.local("plain").getTieredCache("plain");
		assertThat(untraced.tracer()).isSameAs(CacheTracer.NONE);
		assertThat(untraced.get(1L, () -> "value")).isEqualTo("value");
		TestObservationRegistryAssert.assertThat(this.registry).doesNotHaveAnyObservation();
	}

}
