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
 * A write-behind flusher's batches are traced by the cache manager's tracer: with
 * {@link ObservationCacheTracer}, each batch it applies is a {@code tiercache.writebehind.flush}
 * observation of the cache, on the real Redis, while the {@code @WriteBehind} call itself (an enqueue)
 * observes nothing.
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
	void eachBatchAppliedIsAnObservationOfTheCache() {
		this.instance.ledger().save(new Row(3, 1, "version 1"));
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
