package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.guard.GuardBuilds;
import dev.tiercache.autoconfigure.guard.GuardedCatalogue;
import dev.tiercache.guard.GuardSettings;
import dev.tiercache.guard.GuardStats;
import dev.tiercache.guard.PenetrationGuard;
import dev.tiercache.guard.PenetrationGuards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, the penetration guard with Spring Boot: a guarded cache's filter is built from its
 * {@code @ExistingKeys} source once the application is ready (by one instance), reads of ids that do not
 * exist never reach the loader, ids created through a write annotation are read at once on every
 * instance, and a misfit source fails start-up. Contexts on the shared Redis as instances.
 */
class PenetrationGuardIntegrationTests {

	private static final String GUARDED = "tiercache.caches.products.guard.expected-keys=10000";

	private final TestContexts contexts = new TestContexts();

	private final GuardedCatalogue.Rows rows = new GuardedCatalogue.Rows();

	@BeforeEach
	void products() {
		LongStream.rangeClosed(1, 1000).forEach(this.rows.ids::add);
	}

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(Class<?> application, String... properties) {
		return this.contexts.start(application, Map.of("rows", this.rows), properties);
	}

	private static PenetrationGuard guard(ConfigurableApplicationContext context) {
		PenetrationGuard guard = context.getBean(PenetrationGuards.class).guard("products");
		assertThat(guard).isNotNull();
		return guard;
	}

	private static PenetrationGuard awaitBuilt(ConfigurableApplicationContext context) {
		PenetrationGuard guard = guard(context);
		await("the filter built").atMost(Duration.ofSeconds(20)).until(guard::built);
		return guard;
	}

	@Test
	void idsThatDoNotExistNeverReachTheLoader() {
		ConfigurableApplicationContext context = start(GuardedCatalogue.Application.class, GUARDED);
		PenetrationGuard guard = awaitBuilt(context);
		GuardedCatalogue catalogue = context.getBean(GuardedCatalogue.class);

		assertThat(catalogue.find(7)).isEqualTo("product 7");
		LongStream.rangeClosed(1_000_001, 1_010_000).forEach((id) -> assertThat(catalogue.find(id)).isNull());

		GuardStats stats = guard.stats();
		assertThat(stats.keysAtBuild()).isEqualTo(1000);
		assertThat(stats.refused()).as("absent ids answered by the filter").isGreaterThan(9_980);
		assertThat(stats.audited()).as("one refusal in a thousand read anyway").isEqualTo(stats.refused() / 1000);
		assertThat(stats.foundByAudit()).isZero();
		assertThat(this.rows.loads.get()).as("the one id that exists, the false positives, the audits")
			.isEqualTo(1 + 10_000 - (int) stats.refused() + (int) stats.audited());
	}

	@Test
	void oneInstanceBuildsTheFilterAndAnIdCreatedOnOneIsReadOnTheOtherAtOnce() {
		ConfigurableApplicationContext first = start(GuardedCatalogue.Application.class, GUARDED);
		awaitBuilt(first);
		ConfigurableApplicationContext second = start(GuardedCatalogue.Application.class, GUARDED);
		awaitBuilt(second);
		assertThat(this.rows.sourceCalls).as("the second instance found the filter built").hasValue(1);

		first.getBean(GuardedCatalogue.class).create(5000);

		assertThat(second.getBean(GuardedCatalogue.class).find(5000)).isEqualTo("product 5000");
		assertThat(second.getBean(GuardedCatalogue.class).find(5001)).isNull();
	}

	@Test
	void aRebuildDropsTheIdsThatWereDeleted() {
		ConfigurableApplicationContext context = start(GuardedCatalogue.Application.class, GUARDED);
		PenetrationGuard guard = awaitBuilt(context);
		this.rows.ids.removeIf((id) -> id > 500);

		assertThat(context.getBean(GuardBuilds.class).rebuild("products")).isEqualTo(500);

		GuardedCatalogue catalogue = context.getBean(GuardedCatalogue.class);
		LongStream.rangeClosed(501, 1000).forEach((id) -> assertThat(catalogue.find(id)).isNull());
		assertThat(guard.stats().refused()).as("the deleted ids answered by the filter").isGreaterThan(495);
		assertThat(this.rows.loads.get()).isLessThan(5);
	}

	@Test
	void aSourceThatTakesParametersFailsStartUp() {
		assertThatException().isThrownBy(() -> start(GuardedCatalogue.ParameterisedSource.class, GUARDED))
			.withStackTraceContaining("@ExistingKeys SourceWithAParameter#ids must take no parameters");
	}

	@Test
	void twoSourcesOfACacheFailStartUp() {
		assertThatException().isThrownBy(() -> start(GuardedCatalogue.TwoSources.class, GUARDED))
			.withStackTraceContaining("has two @ExistingKeys sources");
	}

	@Test
	void aSourceOfACacheWithoutAGuardFailsStartUp() {
		assertThatException().isThrownBy(() -> start(GuardedCatalogue.Application.class,
				"tiercache.caches.pages.guard.expected-keys=100"))
			.withStackTraceContaining("yields the keys of cache 'products', which has no penetration guard");
	}

	@Test
	void theSourceIsReadInAReadOnlyTransactionWhenTheApplicationHasATransactionManager() {
		ConfigurableApplicationContext context = start(GuardedCatalogue.WithTransactions.class, GUARDED);
		awaitBuilt(context);
		assertThat(this.rows.readInReadOnlyTransaction).as("read in the build's transaction").isTrue();

		this.rows.readInReadOnlyTransaction.set(false);
		assertThat(context.getBean(GuardBuilds.class).rebuild("products")).isEqualTo(1000);
		assertThat(this.rows.readInReadOnlyTransaction).as("read in the rebuild's transaction").isTrue();
	}

	@Test
	void aGuardedCacheWithNoSourceFailsStartUp() {
		assertThatException().isThrownBy(() -> start(GuardedCatalogue.Application.class, GUARDED,
				"tiercache.caches.pages.guard.expected-keys=100"))
			.withStackTraceContaining("Tiercache cache 'pages' has a penetration guard");
	}

	@Test
	void theDefaultsSetTheRateAndTheIntervalButNotTheSize() {
		ConfigurableApplicationContext context = start(GuardedCatalogue.Application.class, GUARDED,
				"tiercache.defaults.guard.false-positive-rate=0.001", "tiercache.defaults.guard.refresh-interval=3s",
				"tiercache.caches.products.guard.refresh-interval=2s");
		assertThat(guard(context).settings()).isEqualTo(new GuardSettings(10_000, 0.001, Duration.ofSeconds(2)));

		assertThatException().isThrownBy(() -> start(GuardedCatalogue.Application.class, GUARDED,
				"tiercache.defaults.guard.expected-keys=100"))
			.withStackTraceContaining("tiercache.defaults.guard.expected-keys")
			.withStackTraceContaining("cannot be a default");
	}

	@Test
	void aFalsePositiveRateOutOfRangeNamesItsProperty() {
		assertThatException().isThrownBy(() -> start(GuardedCatalogue.Application.class, GUARDED,
				"tiercache.caches.products.guard.false-positive-rate=0.9"))
			.withStackTraceContaining("tiercache.caches.products.guard.false-positive-rate");
	}

}
