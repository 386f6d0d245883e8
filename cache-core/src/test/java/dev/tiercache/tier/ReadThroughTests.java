package dev.tiercache.tier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The read-through path across several instances (managers with their own Redis connections) on a
 * real Redis: single loads, null markers, leases, failures and Redis outages.
 */
class ReadThroughTests {

	private static final String CACHE = "books";

	private final TierFixture fixture = new TierFixture();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		this.fixture.close();
	}

	private TieredCache instance() {
		return this.fixture.manager(CACHE, (settings) -> settings).getTieredCache(CACHE);
	}

	@Test
	void concurrentCallersOnFourInstancesLoadOnce() throws Exception {
		List<TieredCache> instances = List.of(instance(), instance(), instance(), instance());
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch everyoneWaits = new CountDownLatch(1);
		List<Future<String>> results = new ArrayList<>();
		for (TieredCache cache : instances) {
			for (int thread = 0; thread < 32; thread++) {
				results.add(this.executor.submit(() -> {
					start.await();
					return cache.get("cold", String.class, () -> {
						loads.incrementAndGet();
						everyoneWaits.await();
						return "loaded";
					});
				}));
			}
		}
		start.countDown();
		await().atMost(Duration.ofSeconds(20)).until(() -> instances.stream()
			.mapToLong((cache) -> cache.stats().localWaits() + cache.stats().remoteWaits())
			.sum() == 127);
		everyoneWaits.countDown();
		for (Future<String> result : results) {
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("loaded");
		}
		assertThat(loads).hasValue(1);
		assertThat(instances.stream().mapToLong((cache) -> cache.stats().loads()).sum()).isEqualTo(1);
		assertThat(instances.stream().mapToLong((cache) -> cache.stats().remoteWaits()).sum())
			.as("one caller per other instance waited on the lease").isEqualTo(3);
	}

	@Test
	void nullResultsAreLoadedOncePerKeyThenServedAsNullHits() {
		TieredCache first = instance();
		AtomicInteger loads = new AtomicInteger();
		Callable<String> nothing = () -> {
			loads.incrementAndGet();
			return null;
		};
		Callable<String> unexpected = () -> {
			loads.incrementAndGet();
			return "unexpected";
		};
		for (int i = 0; i < 1000; i++) {
			String value = first.get("missing-" + i, String.class, nothing);
			assertThat(value).isNull();
		}
		// before Redis 7.2 a load's own store may come back as an invalidation; the entry is then put
		// back in L1 once Redis is seen to hold what was stored (or, if that check could not be made,
		// by the next read, which finds the null in Redis and must not load)
		Object absent = new Object();
		await().atMost(Duration.ofSeconds(10)).until(() -> IntStream.range(0, 1000)
			.filter((i) -> first.peekLocal("missing-" + i, String.class, String.class, absent) != null)
			.peek((i) -> first.get("missing-" + i, String.class, unexpected))
			.count() == 0);
		long nullHitsBefore = first.stats().localNullHits();
		for (int i = 0; i < 1000; i++) {
			String value = first.get("missing-" + i, String.class, unexpected);
			assertThat(value).isNull();
		}
		TieredCache second = instance();
		for (int i = 0; i < 1000; i++) {
			String value = second.get("missing-" + i, String.class, unexpected);
			assertThat(value).isNull();
		}
		assertThat(loads).hasValue(1000);
		assertThat(first.stats().localNullHits() - nullHitsBefore).isEqualTo(1000);
		assertThat(second.stats().remoteNullHits()).isEqualTo(1000);
	}

	@Test
	void valueLoadedUnderRevokedLeaseIsNotStored() throws Exception {
		TieredCache loader = instance();
		TieredCache writer = instance();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch written = new CountDownLatch(1);
		Future<String> slowLoad = this.executor.submit(() -> loader.get("k", String.class, () -> {
			loading.countDown();
			written.await();
			return "old data";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		writer.put("k", "newer write");
		written.countDown();
		assertThat(slowLoad.get(10, TimeUnit.SECONDS)).isEqualTo("old data");
		assertThat(loader.stats().leasesLost()).isEqualTo(1);
		assertThat(instance().get("k", String.class)).isEqualTo("newer write");
		assertThat(loader.get("k", String.class)).as("the stale load did not fill L1 either").isEqualTo("newer write");
	}

	@Test
	void valueLoadedAfterItsLockKeyWasDeletedIsNotStored() throws Exception {
		TieredCache cache = instance();
		String value = cache.get("k", String.class, () -> {
			this.fixture.rawDelete(this.fixture.lockKey(CACHE, "k"));
			return "loaded";
		});
		assertThat(value).isEqualTo("loaded");
		assertThat(cache.stats().leasesLost()).isEqualTo(1);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNull();
	}

	@Test
	void loaderFailureReachesCallerAndWaiterElsewhereLoadsInstead() throws Exception {
		TieredCache failing = instance();
		TieredCache waiting = instance();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		IllegalStateException failure = new IllegalStateException("database down");
		Future<String> failed = this.executor.submit(() -> failing.get("k", String.class, () -> {
			loading.countDown();
			fail.await();
			throw failure;
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		AtomicInteger waiterLoads = new AtomicInteger();
		Future<String> waited = this.executor.submit(() -> waiting.get("k", String.class, () -> {
			waiterLoads.incrementAndGet();
			return "loaded by waiter";
		}));
		await().atMost(Duration.ofSeconds(10)).until(() -> waiting.stats().remoteWaits() == 1);
		fail.countDown();
		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOf(org.springframework.cache.Cache.ValueRetrievalException.class)
			.havingCause()
			.isSameAs(failure);
		assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo("loaded by waiter");
		assertThat(waiterLoads).hasValue(1);
		assertThat(failing.stats().loadFailures()).isEqualTo(1);
	}

	@Test
	void holderThatStopsRenewingIsTakenOverAfterLease() throws Exception {
		LettuceConnectionFactory doomedConnection = TestRedis.connectionFactory();
		TieredCacheManager doomed = this.fixture.manager(doomedConnection, CACHE,
				(settings) -> settings.withLockLease(Duration.ofMillis(600)));
		TieredCache survivor = this.fixture
			.manager(CACHE, (settings) -> settings.withLockLease(Duration.ofMillis(600)))
			.getTieredCache(CACHE);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		this.executor.submit(() -> doomed.getTieredCache(CACHE).get("k", String.class, () -> {
			loading.countDown();
			never.await();
			return "never stored";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		doomedConnection.destroy();
		long started = System.nanoTime();
		String value = survivor.get("k", String.class, () -> "taken over");
		assertThat(value).isEqualTo("taken over");
		assertThat(survivor.stats().remoteWaits()).isEqualTo(1);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		never.countDown();
	}

	@Test
	void leaseIsRenewedWhileALoadOutlastsIt() throws Exception {
		TieredCache holder = this.fixture.manager(CACHE, (settings) -> settings.withLockLease(Duration.ofMillis(300)))
			.getTieredCache(CACHE);
		TieredCache waiter = this.fixture.manager(CACHE, (settings) -> settings.withLockLease(Duration.ofMillis(300)))
			.getTieredCache(CACHE);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		AtomicInteger loads = new AtomicInteger();
		Future<String> slow = this.executor.submit(() -> holder.get("k", String.class, () -> {
			loads.incrementAndGet();
			loading.countDown();
			finish.await();
			return "slow value";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		Future<String> waiting = this.executor.submit(() -> waiter.get("k", String.class, () -> {
			loads.incrementAndGet();
			return "should not load";
		}));
		await().atMost(Duration.ofSeconds(10)).until(() -> waiter.stats().remoteWaits() == 1);
		await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
			.until(() -> this.fixture.rawTtlMillis(this.fixture.lockKey(CACHE, "k")) > 0);
		assertThat(waiting).as("five leases later, the waiter still waits").isNotDone();
		finish.countDown();
		assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow value");
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("slow value");
		assertThat(loads).hasValue(1);
	}

	// issue 16 item 14: a wait for another thread's load in this JVM is bounded by lock.wait, as the
	// wait for another instance's lease is
	@Test
	void loadHungInThisJvmIsTakenOverAfterLockWaitAndItsLateValueIsStoredNowhere() throws Exception {
		TieredCache cache = this.fixture.manager(CACHE, (settings) -> settings.withLockWait(Duration.ofSeconds(1)))
			.getTieredCache(CACHE);
		CountDownLatch release = new CountDownLatch(1);
		Future<String> hung = loadHangingUntil(cache, release);
		Future<String> taker = this.executor.submit(() -> cache.get("k", String.class, () -> "fresh"));
		assertThat(taker.get(30, TimeUnit.SECONDS)).isEqualTo("fresh");
		assertThat(cache.stats().localWaits()).isEqualTo(1);
		assertThat(cache.stats().lockTimeouts()).isEqualTo(1);
		release.countDown();
		assertThat(hung.get(10, TimeUnit.SECONDS)).as("the hung caller still gets its own load").isEqualTo("late");
		assertThat(cache.stats().leasesLost()).as("the taker revoked its lease").isEqualTo(1);
		assertThat(cache.get("k", String.class)).isEqualTo("fresh");
		assertThat(instance().get("k", String.class)).as("in Redis").isEqualTo("fresh");
	}

	// issue 16 item 14
	@Test
	void lateValueOfALoadTakenOverDoesNotReplaceTheNewerOneInALocalCache() throws Exception {
		TieredCache cache = this.fixture
			.manager(CACHE, (settings) -> settings.withMode(CacheMode.LOCAL).withLockWait(Duration.ofSeconds(1)))
			.getTieredCache(CACHE);
		CountDownLatch release = new CountDownLatch(1);
		Future<String> hung = loadHangingUntil(cache, release);
		assertThat(this.executor.submit(() -> cache.get("k", String.class, () -> "fresh")).get(30, TimeUnit.SECONDS))
			.isEqualTo("fresh");
		release.countDown();
		assertThat(hung.get(10, TimeUnit.SECONDS)).isEqualTo("late");
		assertThat(cache.get("k", String.class)).isEqualTo("fresh");
	}

	/** Starts a load of "k" that hangs until {@code release}, then returns "late"; returns once it runs. */
	private Future<String> loadHangingUntil(TieredCache cache, CountDownLatch release) throws InterruptedException {
		CountDownLatch loading = new CountDownLatch(1);
		Future<String> hung = this.executor.submit(() -> cache.get("k", String.class, () -> {
			loading.countDown();
			release.await();
			return "late";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		return hung;
	}

	// issue 16 item 14
	@Test
	void loadersThatReadEachOthersCachesAllEnd() throws Exception {
		UnaryOperator<CacheSettings> shortWait = (settings) -> settings.withLockWait(Duration.ofMillis(500));
		TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory(), CACHE, shortWait,
				(builder) -> builder.cache("authors", shortWait.apply(CacheSettings.DEFAULTS)));
		TieredCache books = manager.getTieredCache(CACHE);
		TieredCache authors = manager.getTieredCache("authors");
		CyclicBarrier bothLoading = new CyclicBarrier(2);
		Future<String> book = this.executor.submit(() -> books.get("dune", String.class, () -> {
			bothLoading.await(10, TimeUnit.SECONDS);
			return "dune by " + authors.get("herbert", String.class, () -> "herbert");
		}));
		Future<String> author = this.executor.submit(() -> authors.get("herbert", String.class, () -> {
			bothLoading.await(10, TimeUnit.SECONDS);
			return "herbert, author of " + books.get("dune", String.class, () -> "dune");
		}));
		assertThat(book.get(30, TimeUnit.SECONDS)).startsWith("dune by herbert");
		assertThat(author.get(30, TimeUnit.SECONDS)).startsWith("herbert, author of dune");
		assertThat(books.stats().lockTimeouts() + authors.stats().lockTimeouts()).isPositive();
	}

	@Test
	void closingHolderReleasesLeaseForOthers() throws Exception {
		TieredCacheManager closing = this.fixture.manager(CACHE,
				(settings) -> settings.withLockLease(Duration.ofSeconds(60)));
		TieredCache survivor = instance();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		this.executor.submit(() -> closing.getTieredCache(CACHE).get("k", String.class, () -> {
			loading.countDown();
			finish.await();
			return "from closed instance";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> waiting = CompletableFuture
			.supplyAsync(() -> survivor.get("k", String.class, () -> "taken over"), this.executor);
		await().atMost(Duration.ofSeconds(10)).until(() -> survivor.stats().remoteWaits() == 1);
		this.fixture.closeNow(closing);
		assertThat(waiting.get(10, TimeUnit.SECONDS)).as("taken over long before the 60 s lease ends")
			.isEqualTo("taken over");
		finish.countDown();
	}

	@Test
	void callsSucceedAfterTheConnectionFactoryIsDestroyed() {
		LettuceConnectionFactory connection = TestRedis.connectionFactory();
		TieredCache cache = this.fixture.manager(connection, CACHE, (settings) -> settings).getTieredCache(CACHE);
		assertThat(cache.get("before", String.class, () -> "one")).isEqualTo("one");
		connection.destroy();
		assertThat(cache.get("after", String.class, () -> "two")).isEqualTo("two");
		cache.put("written", "three");
		cache.evict("before");
		assertThat(cache.stats().remoteErrors()).isPositive();
	}

	@Test
	void corruptEntryIsAMissAndIsReplaced() {
		TieredCache cache = instance();
		this.fixture.rawSet(this.fixture.valueKey(CACHE, "k"), "garbage that is long enough to be read".getBytes());
		assertThat(cache.get("k", String.class, () -> "reloaded")).isEqualTo("reloaded");
		assertThat(cache.stats().decodeFailures()).isEqualTo(1);
		assertThat(instance().get("k", String.class)).isEqualTo("reloaded");
	}

	@Test
	void entryOfAnotherFormatVersionIsAMissAndIsDeleted() {
		TieredCache cache = instance();
		byte[] framed = Envelope.frameNull(1, Long.MAX_VALUE, 0, null);
		framed[0] = 99;
		this.fixture.rawSet(this.fixture.valueKey(CACHE, "k"), framed);
		assertThat(cache.get("k")).isNull();
		assertThat(cache.stats().decodeFailures()).isEqualTo(1);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNull();
	}

	@Test
	void serializedClassOutsideAllowListIsAMissAndIsDeleted() {
		TieredCache permissive = instance();
		TieredCache strict = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, (settings) -> settings,
					(builder) -> builder.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("com.example")))))
			.getTieredCache(CACHE);
		permissive.put("k", new SerializableEntity(5L), Object.class);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNotNull();
		assertThat(strict.get("k", Object.class)).isNull();
		assertThat(strict.stats().decodeFailures()).isEqualTo(1);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNull();
	}

	@Test
	void oversizeValueIsReturnedButNotCached() {
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, (settings) -> settings, (builder) -> builder.maxValueBytes(100))
			.getTieredCache(CACHE);
		AtomicInteger loads = new AtomicInteger();
		String big = "x".repeat(500);
		assertThat(cache.get("k", String.class, () -> big + loads.incrementAndGet())).isEqualTo(big + 1);
		assertThat(cache.get("k", String.class, () -> big + loads.incrementAndGet())).isEqualTo(big + 2);
		assertThat(cache.stats().encodeFailures()).isEqualTo(2);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNull();
	}

	@Test
	void redisStoppedMidTestStillServesLoaderResultsAndL1() {
		try (EmbeddedRedis redis = EmbeddedRedis.start()) {
			TieredCacheManager manager = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", redis.port()), CACHE, (settings) -> settings);
			TieredCache cache = manager.getTieredCache(CACHE);
			TieredCache otherInstance = this.fixture
				.manager(TestRedis.connectionFactory("127.0.0.1", redis.port()), CACHE, (settings) -> settings)
				.getTieredCache(CACHE);
			// another instance loads the key, so that this one's L1 entry is not one it wrote: an entry it wrote
			// is checked against Redis when Redis (6.2 here) reports the write back, and leaves L1 if Redis
			// has stopped by then
			long reports = manager.invalidationsReceived();
			assertThat(otherInstance.get("warm", String.class, () -> "warm value")).isEqualTo("warm value");
			await().atMost(Duration.ofSeconds(10)).until(() -> manager.invalidationsReceived() > reports);
			assertThat(cache.get("warm", String.class, () -> "loaded here")).isEqualTo("warm value");
			redis.stop();
			for (int i = 0; i < 5; i++) {
				int n = i;
				assertThat(cache.get("cold-" + i, String.class, () -> "loaded " + n)).isEqualTo("loaded " + n);
			}
			assertThat(cache.get("warm", String.class, () -> "reloaded")).as("L1 still serves")
				.isEqualTo("warm value");
			cache.put("written", "while down");
			cache.evict("warm");
			assertThat(cache.stats().remoteErrors()).isGreaterThanOrEqualTo(5);
			assertThat(cache.stats().loads()).as("the cold keys").isEqualTo(5);
			redis.restart();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				cache.put("after", "restart");
				assertThat(this.fixture.rawGetFrom(redis.port(), this.fixture.valueKey(CACHE, "after"))).isNotNull();
			});
		}
	}

	/** A serializable value with no JSON creator. */
	static final class SerializableEntity implements java.io.Serializable {

		private final Long id;

		SerializableEntity(Long id) {
			this.id = id;
		}

		Long id() {
			return this.id;
		}

	}

}
