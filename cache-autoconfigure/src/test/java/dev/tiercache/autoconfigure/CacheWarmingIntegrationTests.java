package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tiercache.autoconfigure.actuate.TiercacheEndpoint;
import dev.tiercache.autoconfigure.warming.CacheWarming;
import dev.tiercache.autoconfigure.warming.WarmedCatalogue;
import dev.tiercache.autoconfigure.warming.WarmedCatalogue.Probe;
import dev.tiercache.autoconfigure.warming.WarmerProgress;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, warming: {@code @CacheWarmer} methods run once the application is ready, through the normal
 * read path, a bounded number of calls at a time, and their progress shows in the log and the endpoint.
 * Contexts on the shared Redis as instances.
 */
@ExtendWith(OutputCaptureExtension.class)
class CacheWarmingIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(20);

	private static final String BEST_SELLERS = "WarmedCatalogue#bestSellers";

	private static final String HOT_KEYS = "hot keys of WarmedCatalogue#find";

	private static final List<String> ENDED_NOT = List.of("WAITING", "RUNNING");

	private final TestContexts contexts = new TestContexts();

	private final Probe probe = new Probe();

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(Class<?> application, String... properties) {
		return this.contexts.start(application, Map.of("probe", this.probe), properties);
	}

	/** Waits until every warmer ended; returns the progress of the one named so. */
	private static WarmerProgress awaitEnded(ConfigurableApplicationContext context, String warmer) {
		CacheWarming warming = context.getBean(CacheWarming.class);
		await("the warmers ended").atMost(PROMPTLY)
			.until(() -> warming.progress().stream().noneMatch((progress) -> ENDED_NOT.contains(progress.state())));
		return warming.progress().stream().filter((progress) -> progress.warmer().equals(warmer)).findFirst()
			.orElseThrow();
	}

	private static WarmerProgress awaitEnded(ConfigurableApplicationContext context) {
		return awaitEnded(context, BEST_SELLERS);
	}

	@Test
	void theBestSellersAreLoadedOnceTheApplicationIsReadyAndThenReadFromL1(CapturedOutput output) throws Exception {
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class);

		WarmerProgress progress = awaitEnded(context);

		assertThat(progress).isEqualTo(new WarmerProgress("products", "WarmedCatalogue#bestSellers", "DONE", 40, 40, 0,
				progress.millis(), null));
		assertThat(this.probe.loads).as("each best seller loaded once").hasValue(40);
		TieredCacheManager manager = context.getBean(TieredCacheManager.class);
		CacheStats before = manager.getTieredCache("products").stats();
		WarmedCatalogue catalogue = context.getBean(WarmedCatalogue.class);
		for (long id = 1; id <= 40; id++) {
			assertThat(catalogue.find(id)).isEqualTo("product " + id);
		}
		CacheStats reads = manager.getTieredCache("products").stats().since(before);
		assertThat(reads.localHits()).as("every best seller read from L1").isEqualTo(40);
		assertThat(reads.loads()).isZero();
		assertThat(output).contains("Tiercache warming cache 'products' with WarmedCatalogue#bestSellers",
				"Tiercache warmed cache 'products' with WarmedCatalogue#bestSellers: 40 keys, 40 warmed, 0 failed");
	}

	@Test
	void aSecondInstanceWarmsFromRedisWithoutLoadingAgain() {
		awaitEnded(start(WarmedCatalogue.Application.class));
		ConfigurableApplicationContext second = start(WarmedCatalogue.Application.class);

		assertThat(awaitEnded(second).warmed()).isEqualTo(40);

		assertThat(this.probe.loads).as("the second instance found every best seller in Redis").hasValue(40);
		assertThat(second.getBean(TieredCacheManager.class).getTieredCache("products").stats().remoteHits())
			.isEqualTo(40);
	}

	/**
	 * A running instance that warms from hot keys (none reported yet) reads ten products (its warmer yields
	 * none) and reports them hottest; a new instance warms its L1 with them from Redis, through
	 * {@code find}, without a load.
	 */
	@Test
	void aNewInstanceWarmsItsL1WithTheKeysTheRunningOnesReportHottest() throws Exception {
		this.probe.hot = 0;
		ConfigurableApplicationContext running = start(WarmedCatalogue.Application.class,
				"tiercache.warming.hot-keys=100");
		WarmedCatalogue catalogue = running.getBean(WarmedCatalogue.class);
		for (int read = 0; read < 3; read++) {
			for (long id = 1; id <= 10; id++) {
				catalogue.find(id);
			}
		}
		TieredCache products = running.getBean(TieredCacheManager.class).getTieredCache("products");
		await("the running instance's report").atMost(PROMPTLY)
			.until(() -> products.reportedHotKeys(100, Long.class).size() == 10);

		ConfigurableApplicationContext starting = start(WarmedCatalogue.Application.class,
				"tiercache.warming.hot-keys=100");
		WarmerProgress progress = awaitEnded(starting, HOT_KEYS);

		assertThat(progress.state()).isEqualTo("DONE");
		assertThat(progress.warmed()).isEqualTo(10);
		assertThat(this.probe.loads).as("found in Redis, not loaded again").hasValue(10);
		TieredCache warmed = starting.getBean(TieredCacheManager.class).getTieredCache("products");
		CacheStats before = warmed.stats();
		for (long id = 1; id <= 10; id++) {
			starting.getBean(WarmedCatalogue.class).find(id);
		}
		assertThat(warmed.stats().since(before).localHits()).as("read from L1").isEqualTo(10);
	}

	@Test
	void noMoreCallsRunAtOnceThanTheConcurrency() {
		this.probe.hot = 200;
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class,
				"tiercache.warming.concurrency=3");

		assertThat(awaitEnded(context).warmed()).isEqualTo(200);

		assertThat(this.probe.mostAtOnce.get()).as("loads at once").isBetween(1, 3);
	}

	@Test
	void aCallThatFailsIsCountedAndLoggedAndTheWarmingGoesOn(CapturedOutput output) {
		this.probe.failing.add(7L);
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class);

		WarmerProgress progress = awaitEnded(context);

		assertThat(progress.state()).isEqualTo("DONE");
		assertThat(progress.warmed()).isEqualTo(39);
		assertThat(progress.failed()).isEqualTo(1);
		assertThat(output).contains("Tiercache could not warm cache 'products' with a key of " + BEST_SELLERS)
			.as("the key is not logged at WARN").doesNotContain("with 7");
	}

	@Test
	void aWarmerThatThrowsIsShownAsFailedAndTheApplicationRuns() {
		this.probe.warmerFails = true;
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class);

		WarmerProgress progress = awaitEnded(context);

		assertThat(progress.state()).isEqualTo("FAILED");
		assertThat(progress.error()).contains("the best-seller query failed");
		assertThat(context.isActive()).isTrue();
	}

	@Test
	void closingTheApplicationStopsTheWarmingAndInterruptsTheCallsInFlight() throws Exception {
		this.probe.holding = true;
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class,
				"tiercache.warming.concurrency=2");
		assertThat(this.probe.held.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).as("a load held").isTrue();
		CacheWarming warming = context.getBean(CacheWarming.class);

		context.close();

		assertThat(warming.progress()).filteredOn((progress) -> progress.warmer().equals(BEST_SELLERS))
			.singleElement().satisfies((progress) -> assertThat(progress.state()).isEqualTo("STOPPED"));
		assertThat(this.probe.interrupted.get()).as("held loads interrupted").isBetween(1, 2);
		assertThat(this.probe.loads.get()).as("no call started after the stop").isEqualTo(this.probe.interrupted.get());
	}

	@Test
	void theEndpointShowsEachWarmersProgress() {
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class,
				"management.endpoints.web.exposure.include=tiercache", "tiercache.warming.hot-keys=100");
		awaitEnded(context);

		List<WarmerProgress> shown = context.getBean(TiercacheEndpoint.class).report().warming();

		assertThat(shown).extracting(WarmerProgress::warmer).as("the hot keys first").containsExactly(HOT_KEYS,
				BEST_SELLERS);
		assertThat(shown.get(1)).satisfies((progress) -> {
			assertThat(progress.cache()).isEqualTo("products");
			assertThat(progress.state()).isEqualTo("DONE");
			assertThat(progress.warmed()).isEqualTo(40);
		});
	}

	@Test
	void warmingTurnedOffRunsNoWarmer() {
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class,
				"tiercache.warming.enabled=false");

		assertThat(context.getBeansOfType(CacheWarming.class)).isEmpty();
		assertThat(this.probe.loads).hasValue(0);
	}

	@Test
	void aMethodOfAGenericInterfaceIsWarmedFromAPrimitiveArray() {
		ConfigurableApplicationContext context = start(OfAGenericInterface.class);

		WarmerProgress progress = awaitEnded(context, "GenericFinder#bestSellers");

		assertThat(progress.state()).isEqualTo("DONE");
		assertThat(progress.warmed()).isEqualTo(40);
		assertThat(this.probe.loads).hasValue(40);
	}

	@Test
	void warmingRunsOnceEvenIfTheApplicationIsReadyAgain() {
		ConfigurableApplicationContext context = start(WarmedCatalogue.Application.class);
		awaitEnded(context);

		context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0], context, Duration.ZERO));

		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
			.until(() -> awaitEnded(context).keys() == 40 && this.probe.loads.get() == 40);
	}

	@Test
	void aWarmerThatTakesParametersFailsStartUp() {
		assertThatException().isThrownBy(() -> start(WithAParameter.class))
			.withStackTraceContaining("Tiercache @CacheWarmer WarmerWithAParameter#bestSellers takes parameters");
	}

	@Test
	void aWarmerOfACacheItsClassDoesNotCacheIntoFailsStartUp() {
		assertThatException().isThrownBy(() -> start(OfAnotherCache.class))
			.withStackTraceContaining("Tiercache @CacheWarmer WarmerOfAnotherCache#bestSellers warms cache 'prices', "
					+ "but dev.tiercache.autoconfigure.warming.WarmedCatalogue$WarmerOfAnotherCache has 0 @CacheAside "
					+ "method(s) of that cache");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class OfAGenericInterface {

		@Bean
		WarmedCatalogue.GenericFinder finder(Probe probe) {
			return new WarmedCatalogue.GenericFinder(probe);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class WithAParameter {

		@Bean
		WarmedCatalogue.WarmerWithAParameter catalogue() {
			return new WarmedCatalogue.WarmerWithAParameter();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class OfAnotherCache {

		@Bean
		WarmedCatalogue.WarmerOfAnotherCache catalogue() {
			return new WarmedCatalogue.WarmerOfAnotherCache();
		}

	}

}
