package dev.tiercache.tier;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.cache.Cache;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.internal.write.StagedWrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The Spring {@link Cache} contract of {@link TieredCache} in every mode, on a real Redis.
 */
class TieredCacheTests {

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void stagedWriteLendsItsEncodingOnlyToItsOwnValueAsTheSameType() {
		TieredCache cache = this.fixture.cache("books", CacheMode.BOTH);
		String value = new String("payload");
		StagedWrite staged = cache.coordinatedWrites().stage("k", value, String.class);
		assertThat(staged).isNotNull();
		EncodedValue encoded = staged.encodingOf(value, String.class);
		assertThat(encoded).isNotNull();
		EncodedValue again = this.fixture.codec().encode(value, String.class);
		assertThat(encoded.format()).isEqualTo(again.format());
		assertThat(encoded.bytes()).isEqualTo(again.bytes());
		assertThat(staged.encodingOf(new String("payload"), String.class)).as("an equal value, another instance").isNull();
		assertThat(staged.encodingOf(value, CharSequence.class)).as("declared as another type").isNull();
		assertThat(cache.coordinatedWrites().stage("n", null, String.class).encodingOf(null, String.class)).isNull();
	}

	@Test
	void aCacheAppliesOnlyWritesItStagedItself() {
		TieredCache cache = this.fixture.cache("books", CacheMode.BOTH);
		StagedWrite foreign = (StagedWrite) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { StagedWrite.class }, (proxy, method, arguments) -> {
					throw new AssertionError("the cache must not use a write it did not stage: " + method);
				});
		assertThatIllegalArgumentException().isThrownBy(() -> cache.coordinatedWrites().applied(foreign))
			.withMessageStartingWith("Cache 'books' can only apply a write it staged itself");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getReturnsNullForAbsentKey(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		assertThat(cache.get("absent")).isNull();
		assertThat(cache.get("absent", String.class)).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putThenGetReturnsValue(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		cache.put("k", "v");
		assertThat(cache.get("k")).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putNullIsCachedAsNullMarker(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		cache.put("k", null);
		Cache.ValueWrapper wrapper = cache.get("k");
		assertThat(wrapper).isNotNull();
		assertThat(wrapper.get()).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithWrongTypeThrowsAndKeepsTheEntry(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		cache.put("k", "v");
		assertThatIllegalStateException().isThrownBy(() -> cache.get("k", Integer.class))
			.withMessageContaining("is not a java.lang.Integer")
			.withMessageContaining("left in place");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(this.fixture.cache("books", mode).get("k", String.class)).as("another instance still reads it")
			.isEqualTo((mode == CacheMode.LOCAL) ? null : "v");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithCallableLoadsOnceThenHits(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
		assertThat(loads).hasValue(1);
		assertThat(cache.stats().loads()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithCallableWrapsLoaderExceptionAndCachesNothing(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		IllegalArgumentException failure = new IllegalArgumentException("db down");
		assertThatExceptionOfType(Cache.ValueRetrievalException.class)
			.isThrownBy(() -> cache.get("k", () -> { throw failure; })).withCause(failure);
		java.io.IOException checked = new java.io.IOException("io");
		assertThatExceptionOfType(Cache.ValueRetrievalException.class)
			.isThrownBy(() -> cache.get("k", () -> { throw checked; })).withCause(checked);
		assertThat(cache.get("k")).isNull();
		assertThat(cache.stats().loadFailures()).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void evictRemovesFromEveryTier(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		cache.put("k", "v");
		assertThat(cache.evictIfPresent("k")).isTrue();
		assertThat(cache.get("k")).isNull();
		assertThat(cache.evictIfPresent("k")).isFalse();
		cache.put("k", "v");
		cache.evict("k");
		assertThat(cache.get("k")).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void clearRemovesEveryEntry(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		for (int i = 0; i < 1200; i++) {
			cache.put(i, "v" + i);
		}
		cache.clear();
		for (int i = 0; i < 1200; i += 100) {
			assertThat(cache.get(i)).isNull();
		}
		assertThat(cache.invalidate()).as("nothing left to invalidate").isFalse();
		cache.put("k", "v");
		assertThat(cache.invalidate()).as("known from L1; Redis is not scanned").isEqualTo(mode != CacheMode.REMOTE);
		assertThat(cache.get("k")).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putIfAbsentKeepsExistingValue(CacheMode mode) {
		TieredCache cache = this.fixture.cache("books", mode);
		assertThat(cache.putIfAbsent("k", "first")).isNull();
		Cache.ValueWrapper existing = cache.putIfAbsent("k", "second");
		assertThat(existing).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("first");
		assertThat(cache.get("k", String.class)).isEqualTo("first");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void retrieveCompletesWithValueOrNull(CacheMode mode) throws Exception {
		TieredCache cache = this.fixture.cache("books", mode);
		assertThat(cache.retrieve("k").get(5, TimeUnit.SECONDS)).isNull();
		cache.put("k", "v");
		Object found = cache.retrieve("k").get(5, TimeUnit.SECONDS);
		assertThat(found).isInstanceOf(Cache.ValueWrapper.class);
		assertThat(((Cache.ValueWrapper) found).get()).isEqualTo("v");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void retrieveWithLoaderLoadsOnce(CacheMode mode) throws Exception {
		TieredCache cache = this.fixture.cache("books", mode);
		AtomicInteger loads = new AtomicInteger();
		CompletableFuture<String> first = cache.retrieve("k",
				() -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()));
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		CompletableFuture<String> second = cache.retrieve("k",
				() -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()));
		assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(loads).hasValue(1);
	}

	@Test
	void remoteHitFillsLocalTier() {
		TieredCache writer = this.fixture.cache("books", CacheMode.BOTH);
		TieredCache reader = this.fixture.manager("books", (settings) -> settings).getTieredCache("books");
		writer.put("k", "v");
		assertThat(reader.get("k", String.class)).isEqualTo("v");
		// the writer's invalidation may reach the reader during its read: it then fills L1 once Redis
		// is seen to still hold what it read
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(reader.get("k", String.class)).isEqualTo("v");
			assertThat(reader.stats().localHits()).isPositive();
		});
		assertThat(reader.stats().remoteHits()).isLessThanOrEqualTo(2);
	}

	@Test
	void storedTtlIsJitteredBelowConfiguredTtl() {
		TieredCache cache = this.fixture
			.manager("books", (settings) -> settings.withTtl(Duration.ofSeconds(100)).withTtlJitter(50))
			.getTieredCache("books");
		for (int i = 0; i < 20; i++) {
			cache.put("k" + i, "v");
		}
		long distinct = java.util.stream.IntStream.range(0, 20)
			.mapToLong((i) -> this.fixture.rawTtlMillis(this.fixture.valueKey("books", "k" + i)) / 1000)
			.peek((ttl) -> assertThat(ttl).isBetween(49L, 100L))
			.distinct()
			.count();
		assertThat(distinct).as("jittered TTLs differ").isGreaterThan(1);
	}

	@Test
	void localEntryExpiresAtItsOwnLifetime() {
		TieredCache cache = this.fixture
			.manager("books", (settings) -> settings.withMode(CacheMode.LOCAL).withNullTtl(Duration.ofMillis(300))
				.withTtlJitter(0))
			.getTieredCache("books");
		cache.put("nothing", null);
		cache.put("something", "v");
		assertThat(cache.get("nothing")).isNotNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> cache.get("nothing") == null);
		assertThat(cache.get("something", String.class)).as("the 10 min entry outlives the null marker").isEqualTo("v");
	}

	@Test
	void localCopyOfRemoteEntryExpiresAfterLocalTtl() {
		TieredCache cache = this.fixture
			.manager("books", (settings) -> settings.withLocalTtl(Duration.ofMillis(300)))
			.getTieredCache("books");
		cache.put("k", "v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(cache.stats().localHits()).as("served from L1").isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(cache.get("k", String.class)).isEqualTo("v");
			assertThat(cache.stats().remoteHits()).as("read from Redis once L1's copy expired").isPositive();
		});
	}

	@Test
	void localModeTouchesNoRedis() {
		TieredCache cache = this.fixture.cache("books", CacheMode.LOCAL);
		cache.put("k", "v");
		assertThat(this.fixture.rawGet(this.fixture.valueKey("books", "k"))).isNull();
		assertThat(cache.get("k", String.class)).isEqualTo("v");
	}

	@Test
	void remoteModeKeepsNothingLocally() {
		TieredCache cache = this.fixture.cache("books", CacheMode.REMOTE);
		cache.put("k", "v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(cache.localSize()).isZero();
		assertThat(this.fixture.rawGet(this.fixture.valueKey("books", "k"))).isNotNull();
	}

}
