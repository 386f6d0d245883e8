package dev.tiercache.tracing;

import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.observation.Observation;
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
 * current while the loader runs; a failed load is one with {@code result=error} and the exception, which
 * is wrapped for the caller as Spring's {@code Cache} contract asks; an L1 hit observes nothing.
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
			.hasLowCardinalityKeyValue("result", "error")
			.hasError()
			.hasBeenStopped();
	}

	@Test
	void withoutATracerNothingIsObserved() {
		TieredCache untraced = this.managers.local("plain").getTieredCache("plain");
		assertThat(untraced.tracer()).isSameAs(CacheTracer.NONE);
		assertThat(untraced.get(1L, () -> "value")).isEqualTo("value");
		TestObservationRegistryAssert.assertThat(this.registry).doesNotHaveAnyObservation();
	}

}
