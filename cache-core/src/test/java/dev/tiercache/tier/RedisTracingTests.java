package dev.tiercache.tier;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tracing.CacheTracer;
import dev.tiercache.tracing.ObservationCacheTracer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The calls a cache makes to Redis on a caller's behalf are traced, on the real Redis, with
 * {@link ObservationCacheTracer} and Micrometer's {@link TestObservationRegistry}: each is one
 * {@code tiercache.redis} observation with low-cardinality key values (cache, tier {@code redis}, the
 * operation, result), a child of the caller's current observation; a miss reads as the lease, the load
 * and the store, in that order; an L1 hit observes nothing; a call Redis fails is a {@code failure}
 * with its exception, though the caller still gets its value.
 */
class RedisTracingTests {

	private static final String CACHE = "books";

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final TierFixture fixture = new TierFixture();

	private final Seen started = new Seen();

	private final Seen stopped = new Seen();

	RedisTracingTests() {
		this.registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStart(Observation.Context context) {
				RedisTracingTests.this.started.contexts.add(context);
			}

			@Override
			public void onStop(Observation.Context context) {
				RedisTracingTests.this.stopped.contexts.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
	}

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void aMissIsTheLeaseTheLoadAndTheStoreUnderTheCallersObservationAndAnL1HitObservesNothing() {
		TieredCache books = tracedCache(TestRedis.connectionFactory());
		Observation request = Observation.createNotStarted("request", this.registry).contextualName("request").start();
		AtomicReference<Observation> currentInLoader = new AtomicReference<>();
		try (Observation.Scope scope = request.openScope()) {
			assertThat(books.get(1L, () -> {
				currentInLoader.set(this.registry.getCurrentObservation());
				return "title 1";
			})).isEqualTo("title 1");
			assertThat(books.get(1L, () -> "loaded again")).as("an L1 hit").isEqualTo("title 1");
		}
		request.stop();

		assertThat(this.started.names()).containsExactly("request", "tiercache.redis lease books",
				"tiercache.load books", "tiercache.redis store books");
		assertThat(this.stopped.names()).containsExactly("tiercache.redis lease books", "tiercache.load books",
				"tiercache.redis store books", "request");
		for (Observation.Context redis : this.stopped.named("tiercache.redis")) {
			assertThat(redis.getLowCardinalityKeyValue("cache").getValue()).isEqualTo(CACHE);
			assertThat(redis.getLowCardinalityKeyValue("tier").getValue()).isEqualTo("redis");
			assertThat(redis.getLowCardinalityKeyValue("result").getValue()).isEqualTo("success");
			assertThat(redis.getError()).isNull();
			assertThat(redis.getParentObservation()).as("the caller's observation").isSameAs(request);
		}
		assertThat(this.registry.getCurrentObservation()).isNull();
		assertThat(currentInLoader.get().getContext().getName()).as("the loader runs in the load's observation")
			.isEqualTo("tiercache.load");
	}

	@Test
	void putsEvictionsAndAClearAreObservedAsWritesAndAClear() {
		TieredCache books = tracedCache(TestRedis.connectionFactory());
		books.put(1L, "title 1");
		books.evict(1L);
		books.clear();

		assertThat(this.stopped.names()).containsExactly("tiercache.redis write books", "tiercache.redis write books",
				"tiercache.redis clear books");
		assertThat(this.stopped.named("tiercache.redis")).allSatisfy((redis) -> {
			assertThat(redis.getLowCardinalityKeyValue("operation").getValue()).isIn("write", "clear");
			assertThat(redis.getLowCardinalityKeyValue("result").getValue()).isEqualTo("success");
		});
	}

	@Test
	void aCallRedisFailsIsObservedAsAFailureWhileTheCallerStillGetsItsValue() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache books = tracedCache(TestRedis.connectionFactory("127.0.0.1", proxy.port()));
			proxy.cut();

			assertThat(books.get(2L, () -> "title 2")).isEqualTo("title 2");
		}
		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("tiercache.load")
			.that()
			.hasLowCardinalityKeyValue("result", "success");
		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("tiercache.redis")
			.that()
			.hasContextualNameEqualTo("tiercache.redis lease books")
			.hasLowCardinalityKeyValue("result", "failure")
			.hasError()
			.hasBeenStopped();
	}

	/**
	 * A tracer that breaks its contract, throwing an {@code Error} after it ran the work, or never running
	 * it: loads, puts and evictions still succeed once each, and no lease is left in Redis.
	 */
	@Test
	void aTracerThatFailsNeitherFailsNorRepeatsTheWorkNorLeavesALease() {
		for (boolean runsTheWork : List.of(true, false)) {
			AtomicInteger traced = new AtomicInteger();
			CacheTracer broken = new CacheTracer() {

				@Override
				public <T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName,
						Step<T, E> step) throws E {
					traced.incrementAndGet();
					if (runsTheWork) {
						step.run();
					}
					throw new AssertionError("a broken tracer");
				}

			};
			String name = "broken-" + runsTheWork;
			TieredCache cache = this.fixture.manager(TestRedis.connectionFactory(), name, UnaryOperator.identity(),
					(builder) -> builder.tracer(broken)).getTieredCache(name);
			AtomicInteger loads = new AtomicInteger();
			assertThat(cache.get(1L, () -> "loaded " + loads.incrementAndGet())).isEqualTo("loaded 1");
			cache.put(2L, "put");
			cache.evict(1L);
			assertThat(cache.get(1L, () -> "loaded " + loads.incrementAndGet())).isEqualTo("loaded 2");
			assertThat(loads).as("each load ran once").hasValue(2);
			assertThat(traced).as("the tracer was called").hasPositiveValue();
			assertThat(this.fixture.rawGet(this.fixture.lockKey(name, "#l:1"))).as("a lease left in Redis").isNull();
		}
	}

	private TieredCache tracedCache(LettuceConnectionFactory connectionFactory) {
		return this.fixture.manager(connectionFactory, CACHE, UnaryOperator.identity(),
				(builder) -> builder.tracer(new ObservationCacheTracer(this.registry)))
			.getTieredCache(CACHE);
	}

	/** The observations an {@link ObservationHandler} saw start, or stop, in that order. */
	private static final class Seen {

		private final List<Observation.Context> contexts = new CopyOnWriteArrayList<>();

		List<String> names() {
			return this.contexts.stream().map(Observation.Context::getContextualName).toList();
		}

		List<Observation.Context> named(String name) {
			return this.contexts.stream().filter((context) -> context.getName().equals(name)).toList();
		}

	}

}
