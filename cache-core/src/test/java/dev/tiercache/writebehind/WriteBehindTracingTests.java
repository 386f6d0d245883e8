package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.List;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.tracing.ObservationCacheTracer;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.writebehind.Ledger.Row;

import static org.awaitility.Awaitility.await;

/**
 * A write-behind cache's queued writes are traced by the cache manager's tracer, on the real Redis: with
 * {@link ObservationCacheTracer}, the {@code @WriteBehind} call is one {@code tiercache.redis} observation
 * (operation {@code enqueue}) on the caller's thread, and each batch a flusher applies is a
 * {@code tiercache.writebehind.flush} observation of the cache.
 */
class WriteBehindTracingTests {

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final LedgerRows rows = new LedgerRows();

	private final LedgerInstance instance = new LedgerInstance(TestRedis.uniquePrefix(), TestRedis.connectionFactory(),
			this.rows, CacheSettings.DEFAULTS, LedgerInstance.writeBehind(Durability.MEMORY),
			(manager) -> manager.tracer(new ObservationCacheTracer(this.registry)));

	@AfterEach
	void close() {
		this.instance.close();
	}

	@Test
	void theEnqueueAndEachBatchAppliedAreObservationsOfTheCache() {
		this.instance.ledger().save(new Row(3, 1, "version 1"));
		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("tiercache.redis")
			.that()
			.hasContextualNameEqualTo("tiercache.redis enqueue " + LedgerInstance.CACHE)
			.hasLowCardinalityKeyValue("operation", "enqueue")
			.hasLowCardinalityKeyValue("result", "success")
			.hasBeenStopped();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.rows.versions(3).equals(List.of(1L)));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> TestObservationRegistryAssert.assertThat(this.registry)
				.hasObservationWithNameEqualTo("tiercache.writebehind.flush")
				.that()
				.hasLowCardinalityKeyValue("cache", LedgerInstance.CACHE)
				.hasLowCardinalityKeyValue("tier", "backing-store")
				.hasLowCardinalityKeyValue("result", "success")
				.hasBeenStopped());
		TestObservationRegistryAssert.assertThat(this.registry)
			.forAllObservationsWithNameEqualTo("tiercache.writebehind.flush",
					(observation) -> observation.hasLowCardinalityKeyValue("cache", LedgerInstance.CACHE))
			.doesNotHaveAnyRemainingCurrentObservation();
	}

}
