package dev.tiercache.tier;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.BeanUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.support.NullValue;

import dev.tiercache.internal.read.TypedReads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Spring's {@link Cache} contract, as Spring's own cache test fixtures ({@code AbstractCacheTests}
 * and {@code AbstractValueAdaptingCacheTests}) state it, holds for {@link TieredCache} in every
 * {@link CacheMode}, on a real Redis: naming, the native cache, reads of absent, present and
 * {@code null} entries, {@code put}, {@code putIfAbsent}, {@code evict}, {@code clear}, and reads with
 * a loader (on a miss, on a hit, with a failing loader, and under concurrent callers), a {@code put}
 * of Spring's {@code NullValue} (read back as {@code null}), and a cache that refuses {@code null}s
 * ({@code allowNullValues = false}).
 */
class TieredCacheContractTests {

	private static final String CACHE_NAME = "testCache";

	private static final String NO_NULL_CACHE_NAME = "testCacheNoNull";

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	private static String randomKey() {
		return UUID.randomUUID().toString();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void nameIsTheConfiguredName(CacheMode mode) {
		assertThat(this.fixture.cache(CACHE_NAME, mode).getName()).isEqualTo(CACHE_NAME);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void nativeCacheIsTheTieredCacheItself(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		// the tiers are internal: the cache is its own native cache
		assertThat(cache.getNativeCache()).isSameAs(cache);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void absentKeyReadsAsNullThroughEveryGet(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		assertThat(cache.get(key)).isNull();
		assertThat(cache.get(key, String.class)).isNull();
		assertThat(cache.get(key, Object.class)).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putValueReadsBackThroughEveryGet(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		cache.put(key, "george");
		// equal, not the same instance: a read from Redis decodes a copy
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("george");
		assertThat(cache.get(key, String.class)).isEqualTo("george");
		assertThat(cache.get(key, Object.class)).isEqualTo("george");
		assertThat(cache.get(key, (Class<?>) null)).isEqualTo("george");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putNullOverAValueLeavesAPresentEntryHoldingNull(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		cache.put(key, "george");
		cache.put(key, null);
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
		assertThat(cache.get(key, String.class)).isNull();
		assertThat(cache.get(key, Object.class)).isNull();
	}

	record Edition(String title, int year) {
	}

	/**
	 * An untyped read ({@code get(key)}, {@code get(key, Object.class)}) gets a value as it was put, also
	 * from Redis on another instance: a {@code Long} stays a {@code Long}, a record stays a record (JSON
	 * alone reads back an {@code Integer} and a map).
	 */
	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void anUntypedReadGetsTheValueAsItWasPut(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		TieredCache other = (mode == CacheMode.LOCAL) ? cache : this.fixture.cache(CACHE_NAME, mode);
		Map<String, Object> values = Map.of(randomKey(), 10L, randomKey(), new Edition("Dune", 1965), randomKey(),
				LocalDate.of(1965, 8, 1), randomKey(), List.of(10L, 11L));
		values.forEach(cache::put);
		values.forEach((key, value) -> {
			assertThat(other.get(key)).extracting(Cache.ValueWrapper::get).as("get(key)").isEqualTo(value);
			assertThat(other.get(key, Object.class)).as("get(key, Object.class)").isEqualTo(value);
		});
		String loaded = randomKey();
		assertThat(cache.get(loaded, () -> 10L)).isEqualTo(10L);
		assertThat(other.get(loaded, () -> 0L)).isEqualTo(10L).isInstanceOf(Long.class);
	}

	/** As Spring's caches: a {@code NullValue}, Spring's instance or another one, is a cached {@code null}. */
	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putOfSpringsNullValueReadsBackAsNull(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		TieredCache other = this.fixture.cache(CACHE_NAME, mode);
		for (Object nullValue : List.of(NullValue.INSTANCE, BeanUtils.instantiateClass(NullValue.class))) {
			String key = randomKey();
			cache.put(key, "george");
			cache.put(key, nullValue);
			for (TieredCache reader : (mode == CacheMode.LOCAL) ? List.of(cache) : List.of(cache, other)) {
				assertThat(reader.get(key)).as("wrapper").isNotNull().extracting(Cache.ValueWrapper::get).isNull();
				assertThat(reader.get(key, String.class)).isNull();
				assertThat(reader.get(key, Object.class)).isNull();
			}
			String absent = randomKey();
			assertThat(cache.putIfAbsent(absent, nullValue)).isNull();
			assertThat(cache.get(absent)).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void aCacheThatRefusesNullsThrowsOnAPutOfNullNamingTheCache(CacheMode mode) {
		TieredCache cache = noNullCache(mode);
		String key = randomKey();
		cache.put(key, "george");
		for (Object nullValue : Arrays.asList(null, NullValue.INSTANCE)) {
			assertThatIllegalArgumentException().isThrownBy(() -> cache.put(key, nullValue))
				.withMessageContaining(NO_NULL_CACHE_NAME)
				.withMessageContaining("is configured to not allow null values but null was provided");
			assertThatIllegalArgumentException().isThrownBy(() -> cache.putIfAbsent(randomKey(), nullValue))
				.withMessageContaining(NO_NULL_CACHE_NAME);
		}
		assertThat(cache.get(key, String.class)).as("the value a refused put left").isEqualTo("george");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void aCacheThatRefusesNullsFailsALoaderThatReturnsNullAndCachesNothing(CacheMode mode) {
		TieredCache cache = noNullCache(mode);
		String key = randomKey();
		assertThatExceptionOfType(Cache.ValueRetrievalException.class).isThrownBy(() -> cache.get(key, () -> null))
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class)
			.withMessageContaining(NO_NULL_CACHE_NAME);
		assertThat(cache.get(key)).isNull();
		assertThat(cache.get(key, () -> "loaded")).isEqualTo("loaded");
	}

	/** A {@code null} reaching the cache another way (an annotated method's result) is not cached. */
	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void aCacheThatRefusesNullsCachesNoNullThatAMethodReturns(CacheMode mode) throws Throwable {
		TieredCache cache = noNullCache(mode);
		String key = randomKey();
		AtomicInteger loads = new AtomicInteger();
		TypedReads reads = cache.reads(String.class, cache.settings());
		for (int i = 0; i < 2; i++) {
			assertThat(reads.getOrLoad(key, () -> {
				loads.incrementAndGet();
				return null;
			}, null)).isNull();
		}
		assertThat(loads).as("loads of a key whose method returned null").hasValue(2);
		assertThat(cache.get(key)).isNull();
	}

	private TieredCache noNullCache(CacheMode mode) {
		return this.fixture.manager(NO_NULL_CACHE_NAME, (settings) -> settings.withMode(mode).withAllowNullValues(false))
			.getTieredCache(NO_NULL_CACHE_NAME);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putIfAbsentStoresTheValueWhenTheKeyIsAbsent(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		assertThat(cache.putIfAbsent(key, "initialValue")).isNull();
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("initialValue");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void putIfAbsentKeepsTheValueAlreadyThere(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		cache.putIfAbsent(key, "initialValue");
		assertThat(cache.putIfAbsent(key, "anotherValue")).isNotNull()
			.extracting(Cache.ValueWrapper::get)
			.isEqualTo("initialValue");
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("initialValue");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void evictRemovesThePutValue(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		cache.put(key, "george");
		cache.evict(key);
		assertThat(cache.get(key)).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void clearRemovesEveryEntry(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		cache.put("enescu", "george");
		cache.put("vlaicu", "aurel");
		cache.clear();
		assertThat(cache.get("enescu")).isNull();
		assertThat(cache.get("vlaicu")).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithLoaderReturnsAndCachesTheLoadedValue(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		assertThat(cache.get(key, () -> "test")).isEqualTo("test");
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("test");
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithLoaderReturnsAndCachesALoadedNull(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		Callable<String> nothing = () -> null;
		assertThat(cache.get(key, nothing)).isNull();
		assertThat(cache.get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithLoaderReturnsACachedValueWithoutCallingTheLoader(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		AtomicInteger loads = new AtomicInteger();
		cache.put(key, "existing");
		assertThat(cache.get(key, () -> "loaded" + loads.incrementAndGet())).isEqualTo("existing");
		assertThat(loads).hasValue(0);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithLoaderReturnsACachedNullWithoutCallingTheLoader(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		AtomicInteger loads = new AtomicInteger();
		cache.put(key, null);
		assertThat(cache.get(key, () -> "loaded" + loads.incrementAndGet())).isNull();
		assertThat(loads).hasValue(0);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void getWithLoaderWrapsWhatTheLoaderThrowsInAValueRetrievalException(CacheMode mode) {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		assertThatExceptionOfType(Cache.ValueRetrievalException.class)
			.isThrownBy(() -> cache.get(key, () -> {
				throw new UnsupportedOperationException("expected");
			}))
			.havingCause()
			.isExactlyInstanceOf(UnsupportedOperationException.class);
	}

	@ParameterizedTest
	@EnumSource(CacheMode.class)
	void concurrentGetsWithLoaderRunTheLoaderOnceAndAllGetItsValue(CacheMode mode) throws Exception {
		TieredCache cache = this.fixture.cache(CACHE_NAME, mode);
		String key = randomKey();
		int callers = 10;
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch gate = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(callers);
		try {
			List<Future<Integer>> results = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				results.add(threads.submit(() -> cache.get(key, () -> {
					if (!gate.await(30, TimeUnit.SECONDS)) {
						throw new IllegalStateException("the gate was never opened");
					}
					return loads.incrementAndGet();
				})));
			}
			// the loader is held until every other caller is waiting for it, so that all calls overlap
			await().atMost(Duration.ofSeconds(10)).until(() -> cache.stats().localWaits() == callers - 1);
			gate.countDown();
			for (Future<Integer> result : results) {
				assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
			}
			assertThat(loads).hasValue(1);
		}
		finally {
			threads.shutdownNow();
		}
	}

}
