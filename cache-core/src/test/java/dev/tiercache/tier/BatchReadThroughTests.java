package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.cache.Cache;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * {@link TieredCache#getAll}, the batch read-through, on real Redis and real threads: one {@code MGET}
 * and one loader call with only the missing keys; keys another thread or instance is loading waited
 * for, not loaded twice, in both directions; null markers for keys the loader does not return; and on
 * every way out of the loader (a value, an exception, an {@code Error}, an interrupt, Redis gone) no
 * lease left held and no single flight left open.
 */
class BatchReadThroughTests {

	private static final String CACHE = "books";

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final TierFixture fixture = new TierFixture();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	/** The keys of each call of the batch loaders of a test. */
	private final List<List<String>> batches = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() throws Exception {
		this.threads.shutdownNow();
		this.fixture.close();
	}

	private TieredCache cache(CacheMode mode) {
		return this.fixture.manager(CACHE, (settings) -> settings.withMode(mode).withLockWait(WAIT))
			.getTieredCache(CACHE);
	}

	/** A batch loader that records its keys and returns a title for each, but those named absent. */
	private Function<Set<String>, Map<String, String>> titles(String... absent) {
		Set<String> none = Set.of(absent);
		return (keys) -> {
			this.batches.add(List.copyOf(keys));
			return keys.stream().filter((key) -> !none.contains(key)).collect(Collectors.toMap((key) -> key,
					(key) -> "title of " + key));
		};
	}

	private static List<String> keys(int count) {
		return IntStream.range(0, count).mapToObj((i) -> "book-" + i).toList();
	}

	@Test
	void aBatchReadsWithOneMgetAndLoadsOnlyTheMissingKeysInOneCall() throws Exception {
		List<String> keys = keys(100);
		List<String> missing = keys.stream().filter((key) -> key.endsWith("3")).toList();
		try (EmbeddedRedis server = EmbeddedRedis.installedOrEmbedded()) {
			TieredCacheManager writer = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", server.port()),
					CACHE, (settings) -> settings.withMode(CacheMode.REMOTE));
			keys.stream().filter((key) -> !missing.contains(key))
				.forEach((key) -> writer.getTieredCache(CACHE).put(key, "title of " + key));
			TieredCacheManager reader = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", server.port()),
					CACHE, (settings) -> settings.withMode(CacheMode.REMOTE));
			TieredCache cache = reader.getTieredCache(CACHE);
			// the server learns the lease scripts
			cache.get("warm-up", String.class, () -> "loaded");
			server.resetStats();
			Map<String, String> values = cache.getAll(keys, String.class, titles());
			long mgets = server.calls("mget");
			long scripts = server.calls("evalsha") + server.calls("eval");
			this.fixture.closeNow(writer);
			this.fixture.closeNow(reader);
			assertThat(values).hasSize(100);
			assertThat(List.copyOf(values.keySet())).as("in the order asked for").isEqualTo(keys);
			assertThat(values).containsEntry("book-13", "title of book-13").containsEntry("book-0", "title of book-0");
			assertThat(this.batches).as("one loader call, with the missing keys in order").containsExactly(missing);
			assertThat(mgets).isEqualTo(1);
			assertThat(scripts).as("a lease script and a store per missing key").isEqualTo(2L * missing.size());
		}
	}

	@Test
	void aSecondBatchIsAnsweredFromL1AndRedisWithoutLoading() {
		TieredCache first = cache(CacheMode.BOTH);
		TieredCache second = cache(CacheMode.BOTH);
		List<String> keys = keys(20);
		assertThat(first.getAll(keys, String.class, titles())).hasSize(20);
		assertThat(first.getAll(keys, String.class, titles())).hasSize(20);
		assertThat(second.getAll(keys, String.class, titles())).hasSize(20)
			.containsEntry("book-7", "title of book-7");
		assertThat(this.batches).hasSize(1);
		assertThat(second.stats().remoteHits()).isEqualTo(20);
	}

	@Test
	void keysTheLoaderDoesNotReturnAreCachedAsNullAndLeftOut() {
		TieredCache cache = cache(CacheMode.BOTH);
		assertThat(cache.getAll(List.of("a", "b", "c"), String.class, titles("b", "c")))
			.containsExactly(Map.entry("a", "title of a"));
		assertThat(cache(CacheMode.BOTH).getAll(List.of("a", "b", "c"), String.class, titles()))
			.containsExactly(Map.entry("a", "title of a"));
		assertThat(this.batches).hasSize(1);
		Cache.ValueWrapper marker = cache.get("b");
		assertThat(marker).isNotNull();
		assertThat(marker.get()).isNull();
	}

	@Test
	void aCacheThatRefusesNullsCachesNoMarkerForKeysTheLoaderDoesNotReturn() {
		TieredCache cache = this.fixture
			.manager(CACHE, (settings) -> settings.withMode(CacheMode.BOTH).withAllowNullValues(false))
			.getTieredCache(CACHE);
		assertThat(cache.getAll(List.of("a", "b"), String.class, titles("b"))).containsOnlyKeys("a");
		assertThat(cache.getAll(List.of("a", "b"), String.class, titles("b"))).containsOnlyKeys("a");
		assertThat(this.batches).containsExactly(List.of("a", "b"), List.of("b"));
	}

	@Test
	void repeatedKeysAreReadOnce() {
		TieredCache cache = cache(CacheMode.BOTH);
		assertThat(cache.getAll(List.of("a", "b", "a", "b"), String.class, titles())).containsOnlyKeys("a", "b");
		assertThat(this.batches).containsExactly(List.of("a", "b"));
	}

	@Test
	void valuesAreDecodedToTheTypeAskedForOnAnotherInstance() {
		cache(CacheMode.BOTH).put(1L, new Shelf(1, "Dune"));
		Map<Long, Shelf> read = cache(CacheMode.BOTH).getAll(List.of(1L, 2L), Shelf.class,
				(keys) -> Map.of(2L, new Shelf(2, "Emma")));
		assertThat(read).containsExactly(Map.entry(1L, new Shelf(1, "Dune")), Map.entry(2L, new Shelf(2, "Emma")));
	}

	@Test
	void aKeyAnotherInstanceIsLoadingIsWaitedForNotLoadedAgain() throws Exception {
		aKeyBeingLoadedIsWaitedForNotLoadedAgain(cache(CacheMode.BOTH), cache(CacheMode.BOTH));
	}

	@ParameterizedTest
	@EnumSource(value = CacheMode.class, names = { "LOCAL", "BOTH" })
	void aKeyAnotherThreadIsLoadingIsWaitedForNotLoadedAgain(CacheMode mode) throws Exception {
		TieredCache cache = cache(mode);
		aKeyBeingLoadedIsWaitedForNotLoadedAgain(cache, cache);
	}

	/** While {@code loading} loads key k on another thread, {@code batch} reads k and x. */
	private void aKeyBeingLoadedIsWaitedForNotLoadedAgain(TieredCache loading, TieredCache batch) throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Future<String> single = this.threads.submit(() -> loading.get("k", String.class, () -> {
			started.countDown();
			release.await();
			return "loaded alone";
		}));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		Future<Map<String, String>> read = this.threads.submit(() -> batch.getAll(List.of("k", "x"), String.class,
				titles()));
		await().atMost(WAIT).until(() -> !this.batches.isEmpty());
		release.countDown();
		assertThat(read.get(30, TimeUnit.SECONDS)).containsEntry("k", "loaded alone")
			.containsEntry("x", "title of x");
		assertThat(single.get(30, TimeUnit.SECONDS)).isEqualTo("loaded alone");
		assertThat(this.batches).as("the batch loaded only the key nobody was loading").containsExactly(List.of("x"));
	}

	@ParameterizedTest
	@EnumSource(value = CacheMode.class, names = { "LOCAL", "BOTH" })
	void aReadOfAKeyABatchIsLoadingWaitsForTheBatch(CacheMode mode) throws Exception {
		TieredCache cache = cache(mode);
		CountDownLatch release = new CountDownLatch(1);
		Future<Map<String, String>> read = batchLoadingUntil(release, cache, List.of("k", "x"),
				Map.of("k", "loaded by the batch", "x", "x"));
		AtomicInteger singleLoads = new AtomicInteger();
		Future<String> single = this.threads.submit(() -> cache.get("k", String.class, () -> {
			singleLoads.incrementAndGet();
			return "loaded alone";
		}));
		await().atMost(WAIT).until(() -> cache.stats().localWaits() + cache.stats().remoteWaits() > 0);
		release.countDown();
		assertThat(single.get(30, TimeUnit.SECONDS)).isEqualTo("loaded by the batch");
		assertThat(read.get(30, TimeUnit.SECONDS)).containsEntry("k", "loaded by the batch");
		assertThat(singleLoads).hasValue(0);
	}

	@Test
	void aKeyTheBatchHasReadIsNotHeldUpByTheBatchsSlowLoad() throws Exception {
		cache(CacheMode.REMOTE).put("a", "stored");
		TieredCache cache = cache(CacheMode.REMOTE);
		CountDownLatch release = new CountDownLatch(1);
		Future<Map<String, String>> read = batchLoadingUntil(release, cache, List.of("a", "b"), Map.of("b", "loaded"));
		try {
			// its single flight ended when Redis answered it, not when the batch ends
			assertThat(this.threads.submit(() -> cache.get("a", String.class, () -> "loaded alone"))
				.get(10, TimeUnit.SECONDS)).isEqualTo("stored");
		}
		finally {
			release.countDown();
		}
		assertThat(read.get(30, TimeUnit.SECONDS)).containsEntry("a", "stored").containsEntry("b", "loaded");
	}

	@Test
	void everyMissingKeyOfALargeBatchIsStoredThoughItsRedisCallsTakeLongerThanOneTimeout() throws Exception {
		List<String> keys = keys(40);
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE,
						(settings) -> settings.withMode(CacheMode.REMOTE))
				.getTieredCache(CACHE);
			// 10 ms a round trip: the lease scripts and stores of 40 keys take over three times the 250 ms timeout
			proxy.slow(Duration.ofMillis(5));
			assertThat(cache.getAll(keys, String.class, titles())).hasSize(40);
			proxy.restore();
			assertThat(cache.stats().remoteErrors()).isZero();
		}
		assertThat(keys).allSatisfy((key) -> assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, key)))
			.as("stored in Redis: " + key).isNotNull());
		assertThat(keys).allSatisfy((key) -> assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, key)))
			.as("lease of " + key).isNull());
	}

	@Test
	@SuppressWarnings({ "unchecked", "rawtypes" })
	void aLoaderMapThatFailsOnLookupLeavesNoLeaseBehind() throws Exception {
		TieredCache cache = cache(CacheMode.REMOTE);
		// a map of other keys' type: looking a key up throws ClassCastException
		Throwable thrown = this.threads.submit(() -> catchThrowable(() -> cache.getAll(List.of("a", "b"),
				String.class, (keys) -> (Map) new java.util.TreeMap<>(Map.of(1, "one"))))).get(30, TimeUnit.SECONDS);
		assertThat(thrown).isInstanceOf(ClassCastException.class);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, "a"))).as("lease of a").isNull();
			assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, "b"))).as("lease of b").isNull();
		});
	}

	@Test
	void aReaderWaitingForOneKeyOfAFailedBatchReadsItItselfRatherThanGetAnotherKeysFailure() throws Exception {
		TieredCache other = cache(CacheMode.BOTH);
		TieredCache cache = cache(CacheMode.BOTH);
		// another instance holds the leases of x and y: the batch reads both on their own, x first
		CountDownLatch holding = new CountDownLatch(2);
		CountDownLatch failX = new CountDownLatch(1);
		CountDownLatch finishY = new CountDownLatch(1);
		Future<?> otherX = this.threads.submit(() -> catchThrowable(() -> other.get("x", String.class, () -> {
			holding.countDown();
			awaitLatch(failX);
			throw new IllegalStateException("the other instance failed on x");
		})));
		Future<String> otherY = this.threads.submit(() -> other.get("y", String.class, () -> {
			holding.countDown();
			awaitLatch(finishY);
			return "y from the other instance";
		}));
		assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
		IllegalStateException xMissing = new IllegalStateException("x is missing");
		Future<Throwable> batch = this.threads.submit(() -> catchThrowable(() -> cache.getAll(List.of("x", "y"),
				String.class, (keys) -> {
					if (keys.contains("x")) {
						throw xMissing;
					}
					return Map.of("y", "y from the batch");
				})));
		// a reader of y on the batch's instance waits for the batch's flight of y
		await().atMost(WAIT).until(() -> cache.stats().remoteWaits() > 0);
		Future<String> readerOfY = this.threads.submit(() -> cache.get("y", String.class, () -> "y loaded alone"));
		await().atMost(WAIT).until(() -> cache.stats().localWaits() > 0);
		failX.countDown();
		assertThat(batch.get(30, TimeUnit.SECONDS)).isSameAs(xMissing);
		finishY.countDown();
		assertThat(readerOfY.get(30, TimeUnit.SECONDS)).isEqualTo("y from the other instance");
		assertThat(otherY.get(30, TimeUnit.SECONDS)).isEqualTo("y from the other instance");
		otherX.get(30, TimeUnit.SECONDS);
	}

	@Test
	void concurrentBatchesOfOverlappingKeysOnTwoInstancesLoadEachKeyOnce() throws Exception {
		List<TieredCache> instances = List.of(cache(CacheMode.BOTH), cache(CacheMode.BOTH));
		List<String> keys = keys(40);
		Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Map<String, String>>> reads = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			TieredCache cache = instances.get(i % 2);
			List<String> shuffled = new ArrayList<>(keys.subList((i * 5) % 20, (i * 5) % 20 + 20));
			Collections.shuffle(shuffled);
			reads.add(this.threads.submit(() -> {
				go.await();
				return cache.getAll(shuffled, String.class, (missing) -> {
					missing.forEach((key) -> loads.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet());
					return missing.stream().collect(Collectors.toMap((key) -> key, (key) -> "title of " + key));
				});
			}));
		}
		go.countDown();
		for (Future<Map<String, String>> read : reads) {
			assertThat(read.get(60, TimeUnit.SECONDS)).hasSize(20)
				.allSatisfy((key, value) -> assertThat(value).isEqualTo("title of " + key));
		}
		assertThat(loads.values()).as("loads per key").allSatisfy((count) -> assertThat(count).hasValue(1));
		assertThat(loads).hasSize(35);
	}

	enum Failure {

		EXCEPTION, ERROR, INTERRUPT

	}

	@ParameterizedTest
	@EnumSource(Failure.class)
	void aFailingLoaderFailsTheBatchAndLeavesNoLeaseNorFlightBehind(Failure failure) throws Exception {
		TieredCache cache = cache(CacheMode.BOTH);
		RuntimeException exception = new IllegalStateException("database down");
		Error error = new LoaderError();
		Throwable thrown = this.threads.submit(() -> catchThrowable(() -> cache.getAll(List.of("a", "b"),
				String.class, (keys) -> {
					switch (failure) {
						case EXCEPTION -> throw exception;
						case ERROR -> throw error;
						case INTERRUPT -> {
							Thread.currentThread().interrupt();
							throw new IllegalStateException("interrupted", new InterruptedException());
						}
					}
					throw new AssertionError(failure);
				}))).get(30, TimeUnit.SECONDS);
		switch (failure) {
			case EXCEPTION -> assertThat(thrown).isSameAs(exception);
			case ERROR -> assertThat(thrown).isSameAs(error);
			case INTERRUPT -> assertThat(thrown).hasRootCauseInstanceOf(InterruptedException.class);
		}
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, "a"))).as("lease of a").isNull();
			assertThat(this.fixture.rawGet(this.fixture.lockKey(CACHE, "b"))).as("lease of b").isNull();
		});
		// no flight left open: a read of each key loads at once
		assertThat(this.threads.submit(() -> cache.getAll(List.of("a", "b"), String.class, titles()))
			.get(30, TimeUnit.SECONDS)).containsOnlyKeys("a", "b");
		assertThat(this.batches).containsExactly(List.of("a", "b"));
		assertThat(cache.stats().loadFailures()).isEqualTo(1);
	}

	@Test
	void whenRedisIsGoneTheBatchLoadsEveryMissingKeyInOneCall() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache cache = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), CACHE,
						(settings) -> settings.withMode(CacheMode.BOTH))
				.getTieredCache(CACHE);
			cache.put("a", "title of a");
			proxy.cut();
			assertThat(cache.getAll(List.of("a", "b", "c"), String.class, titles())).hasSize(3)
				.containsEntry("b", "title of b");
			assertThat(this.batches).containsExactly(List.of("b", "c"));
			assertThat(cache.stats().remoteErrors()).isPositive();
			proxy.restore();
		}
	}

	@Test
	void aKeyThatCannotBeNamedInRedisIsRefusedBeforeAnyLoad() {
		TieredCache cache = cache(CacheMode.BOTH);
		Throwable thrown = catchThrowable(() -> cache.getAll(List.of("a", new Object()), String.class, (keys) -> {
			this.batches.add(List.of("loaded"));
			return Map.of();
		}));
		assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
		assertThat(this.batches).isEmpty();
	}

	/**
	 * Starts a batch read of {@code keys} on another thread whose loader returns {@code loaded} once
	 * {@code release} opens, and returns when the loader has begun.
	 */
	private Future<Map<String, String>> batchLoadingUntil(CountDownLatch release, TieredCache cache, List<String> keys,
			Map<String, String> loaded) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		Future<Map<String, String>> read = this.threads.submit(() -> cache.getAll(keys, String.class, (missing) -> {
			started.countDown();
			awaitLatch(release);
			return loaded;
		}));
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		return read;
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	record Shelf(long id, String title) {
	}

	static final class LoaderError extends Error {

		LoaderError() {
			super("loader error");
		}

	}

}
