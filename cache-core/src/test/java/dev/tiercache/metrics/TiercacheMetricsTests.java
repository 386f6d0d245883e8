package dev.tiercache.metrics;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache;

import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link TiercacheMetrics} on a {@link SimpleMeterRegistry}: every cache of the manager, including one
 * created after binding, gets the {@code tiercache.*} meters tagged by {@code cache} (and {@code tier},
 * {@code result} where they split), whose values follow the cache's counters after a known sequence
 * of calls; the load timer times each load; a manager on Redis adds the remote reads and the circuit
 * breaker's state.
 */
class TiercacheMetricsTests {

	private final TestManagers managers = new TestManagers();

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void everyCacheGetsTheTiercacheMetersTaggedWithItsName() {
		new TiercacheMetrics(this.managers.local("books", "authors"), null).bindTo(this.registry);
		for (String cache : Set.of("books", "authors")) {
			assertThat(names(cache)).containsExactlyInAnyOrder("tiercache.gets", "tiercache.loads",
					"tiercache.load.duration", "tiercache.coalesced", "tiercache.lock.wait", "tiercache.evictions",
					"tiercache.errors", "tiercache.refreshes", "tiercache.size");
		}
		assertThat(tagValues("tiercache.gets", "tier")).containsExactlyInAnyOrder("local", "remote");
		assertThat(tagValues("tiercache.gets", "result")).containsExactlyInAnyOrder("hit", "null_hit", "miss", "stale_hit",
				"fail_safe_hit");
		assertThat(tagValues("tiercache.loads", "result")).containsExactlyInAnyOrder("success", "failure", "rejected");
		assertThat(tagValues("tiercache.coalesced", "tier")).containsExactlyInAnyOrder("local", "remote");
		assertThat(tagValues("tiercache.errors", "operation")).containsExactlyInAnyOrder("redis", "encode", "decode",
				"refresh");
		assertThat(tagValues("tiercache.refreshes", "result")).containsExactlyInAnyOrder("started", "dropped");
	}

	@Test
	void aCacheCreatedAfterBindingGetsItsMeters() {
		TieredCacheManager manager = this.managers.local(
				(builder) -> builder.dynamic(true).defaults(CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL)), "books");
		new TiercacheMetrics(manager, null).bindTo(this.registry);
		assertThat(names("later")).isEmpty();
		TieredCache later = manager.getTieredCache("later");
		later.get("1", String.class, () -> "one");
		assertThat(names("later")).contains("tiercache.gets", "tiercache.loads", "tiercache.size");
		assertThat(count("tiercache.loads", "later", "result", "success")).isEqualTo(1);
	}

	@Test
	void getsFollowTheCountersByTierAndResult() {
		TieredCache books = bound("books");
		books.get("1", String.class, () -> "one");
		books.get("1", String.class, () -> "not loaded");
		books.get("none", String.class, () -> null);
		books.get("none", String.class, () -> "not loaded");
		assertThat(count("tiercache.gets", "books", "tier", "local", "result", "hit")).isEqualTo(1);
		assertThat(count("tiercache.gets", "books", "tier", "local", "result", "null_hit")).isEqualTo(1);
		assertThat(count("tiercache.gets", "books", "tier", "local", "result", "miss")).isEqualTo(2);
		assertThat(count("tiercache.gets", "books", "tier", "remote", "result", "miss")).as("no Redis").isZero();
	}

	@Test
	void loadsAreCountedByOutcomeAndEachIsTimed() {
		TieredCache books = bound("books");
		books.get("1", String.class, () -> "one");
		books.get("2", String.class, () -> "two");
		assertThatExceptionOfType(Cache.ValueRetrievalException.class)
			.isThrownBy(() -> books.get("3", String.class, () -> {
				throw new IllegalStateException("database down");
			}));
		assertThat(count("tiercache.loads", "books", "result", "success")).isEqualTo(2);
		assertThat(count("tiercache.loads", "books", "result", "failure")).isEqualTo(1);
		assertThat(this.registry.get("tiercache.load.duration").tag("cache", "books").timer().count()).isEqualTo(3);
	}

	@Test
	void theSizeGaugeIsTheNumberOfEntriesInL1() {
		TieredCache books = bound("books");
		books.put("1", "one");
		books.put("2", "two");
		assertThat(this.registry.get("tiercache.size").tags("cache", "books", "tier", "local").gauge().value())
			.isEqualTo(2);
	}

	@Test
	void evictionsCountTheEntriesL1DroppedForRoom() {
		TieredCacheManager manager = this.managers.local(
				(builder) -> builder.cache("small", CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL).withLocalMaxSize(1)));
		new TiercacheMetrics(manager, null).bindTo(this.registry);
		TieredCache small = manager.getTieredCache("small");
		for (int i = 0; i < 10; i++) {
			small.put(i, "value " + i);
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(count("tiercache.evictions", "small")).isEqualTo(9));
		assertThat(small.stats().evictions()).isEqualTo(9);
	}

	@Test
	void aManagerWithoutRedisHasNoBreakerMeters() {
		bound("books");
		assertThat(this.registry.find("tiercache.breaker.state").meters()).isEmpty();
		assertThat(this.registry.get("tiercache.invalidations").tag("direction", "received").functionCounter().count())
			.isZero();
	}

	@Test
	void onRedisTheRemoteReadsAndTheBreakerStateAreMeasured() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS.withMode(CacheMode.REMOTE), "shared");
		new TiercacheMetrics(manager, null).bindTo(this.registry);
		TieredCache shared = manager.getTieredCache("shared");
		shared.get("1", String.class, () -> "one");
		shared.get("1", String.class, () -> "not loaded");
		assertThat(count("tiercache.gets", "shared", "tier", "remote", "result", "miss")).isEqualTo(1);
		assertThat(count("tiercache.gets", "shared", "tier", "remote", "result", "hit")).isEqualTo(1);
		assertThat(count("tiercache.gets", "shared", "tier", "local", "result", "miss")).as("no L1").isZero();
		assertThat(count("tiercache.errors", "shared", "operation", "redis")).isZero();
		assertThat(this.registry.get("tiercache.breaker.state").tag("state", "closed").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("tiercache.breaker.state").tag("state", "open").gauge().value()).isZero();
	}

	private TieredCache bound(String name) {
		TieredCacheManager manager = this.managers.local(name);
		new TiercacheMetrics(manager, null).bindTo(this.registry);
		return manager.getTieredCache(name);
	}

	private double count(String name, String cache, String... tags) {
		return this.registry.get(name).tag("cache", cache).tags(tags).functionCounter().count();
	}

	private Set<String> names(String cache) {
		return this.registry.getMeters().stream()
			.filter((meter) -> cache.equals(meter.getId().getTag("cache")))
			.map((meter) -> meter.getId().getName())
			.collect(Collectors.toSet());
	}

	private Set<String> tagValues(String name, String tag) {
		return this.registry.find(name).meters().stream()
			.map(Meter::getId)
			.flatMap((id) -> id.getTags().stream())
			.filter((candidate) -> candidate.getKey().equals(tag))
			.map(Tag::getValue)
			.collect(Collectors.toSet());
	}

}
