package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.cache.Cache;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.internal.read.ValueLoader;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, leases and loads: every way out of a load releases its lease, a load holds its key for a
 * bounded time, timed-out scripts are cleaned up, unstored loads free their waiters, recursion and
 * interrupts are handled, and async reads stay off the common pool. Real Redis, real threads.
 */
class LoadLeasesTests {

	private static final String CACHE = "books";

	private final TierFixture fixture = new TierFixture();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		this.fixture.close();
	}

	private TieredCache instance(UnaryOperator<CacheSettings> settings) {
		return this.fixture.manager(CACHE, settings).getTieredCache(CACHE);
	}

	private TieredCache instance() {
		return instance(UnaryOperator.identity());
	}

	private boolean lockHeld(String key) {
		return this.fixture.rawGet(this.fixture.lockKey(CACHE, key)) != null;
	}

	@Test
	void leaseIsReleasedWhenUnlessThrows() throws Throwable {
		TieredCache holder = instance();
		Predicate<@Nullable Object> unlessThrows = (value) -> {
			throw new IllegalStateException("#result.isEmpty() on null");
		};
		assertThatThrownBy(() -> holder.getOrLoad("k", String.class, String.class, holder.settings(), () -> null,
				unlessThrows, null)).hasMessageContaining("isEmpty");
		assertThat(lockHeld("k")).as("lease released at once").isFalse();
		TieredCache other = instance();
		assertThat(other.get("k", String.class, () -> "loaded")).isEqualTo("loaded");
		assertThat(other.stats().remoteWaits()).as("nobody waited for a leaked lease").isZero();
	}

	@Test
	void leaseIsReleasedWhenEncodingThrowsAnError() {
		ValueCodec failing = new ValueCodec() {

			private final ValueCodec delegate = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of()));

			@Override
			public EncodedValue encode(Object value, Type declaredType) {
				throw new StackOverflowError("encoding a cyclic graph");
			}

			@Override
			public Object decode(int format, byte[] source, int offset, int length, Type type) {
				return this.delegate.decode(format, source, offset, length, type);
			}

		};
		TieredCache holder = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, UnaryOperator.identity(), (builder) -> builder.codec(failing))
			.getTieredCache(CACHE);
		assertThatExceptionOfType(StackOverflowError.class).isThrownBy(() -> holder.get("k", String.class, () -> "v"));
		assertThat(lockHeld("k")).isFalse();
	}

	@Test
	void leaseIsReleasedWhenTheLoaderIsInterrupted() throws Exception {
		TieredCache holder = instance();
		CountDownLatch loading = new CountDownLatch(1);
		AtomicReference<Thread> loader = new AtomicReference<>();
		Future<String> load = this.executor.submit(() -> holder.get("k", String.class, () -> {
			loader.set(Thread.currentThread());
			loading.countDown();
			new CountDownLatch(1).await();
			return "never";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(lockHeld("k")).isTrue();
		loader.get().interrupt();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> load.get(10, TimeUnit.SECONDS))
			.havingRootCause().isInstanceOf(InterruptedException.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> !lockHeld("k"));
	}

	@Test
	void loaderHungOnTheDatabaseHoldsItsKeyForAtMostLockWait() throws Exception {
		UnaryOperator<CacheSettings> settings = (base) -> base.withLockLease(Duration.ofMillis(300))
			.withLockWait(Duration.ofMillis(900));
		TieredCache hung = instance(settings);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		this.executor.submit(() -> hung.get("k", String.class, () -> {
			loading.countDown();
			never.await();
			return "never";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> !lockHeld("k"));
		TieredCache other = instance(settings);
		assertThat(other.get("k", String.class, () -> "loaded elsewhere")).isEqualTo("loaded elsewhere");
		assertThat(other.stats().lockTimeouts()).isZero();
		never.countDown();
	}

	@Test
	@SingleServer
	void leaseTakenByAnAcquireThatTimedOutIsReleasedInTheBackground() {
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, (settings) -> settings.withLockLease(Duration.ofSeconds(60)),
					(builder) -> builder.redisTimeout(Duration.ofMillis(100)))
			.getTieredCache(CACHE);
		assertThat(cache.get("warm", String.class, () -> "connected")).isEqualTo("connected");
		this.fixture.pauseWrites(400);
		assertThat(cache.get("k", String.class, () -> "loaded while Redis paused")).isEqualTo("loaded while Redis paused");
		assertThat(cache.stats().remoteErrors()).isPositive();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(lockHeld("k")).as("not held for the 60 s lease").isFalse());
		assertThat(instance().get("k", String.class, () -> "next load")).isEqualTo("next load");
	}

	@Test
	@SingleServer
	void storeThatTimedOutReturnsTheValueCountsAnErrorAndLeavesNoLease() {
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, (settings) -> settings.withLockLease(Duration.ofSeconds(60)),
					(builder) -> builder.redisTimeout(Duration.ofMillis(100)))
			.getTieredCache(CACHE);
		String value = cache.get("k", String.class, () -> {
			this.fixture.pauseWrites(400);
			return "loaded";
		});
		assertThat(value).isEqualTo("loaded");
		assertThat(cache.stats().remoteErrors()).isPositive();
		assertThat(cache.stats().leasesLost()).as("a timed-out store is not a lost lease").isZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> !lockHeld("k"));
	}

	/** Ways a load's result ends up not stored. */
	enum Unstored {

		LOADER_THREW, UNLESS_TRUE, NULL_NOT_CACHED, TOO_LARGE

	}

	@ParameterizedTest
	@EnumSource(Unstored.class)
	void loadWhoseResultIsNotStoredLetsEveryWaiterLoadAtOnce(Unstored reason) throws Exception {
		UnaryOperator<CacheSettings> settings = (base) -> base.withNullTtl(Duration.ZERO)
			.withLockWait(Duration.ofSeconds(60));
		UnaryOperator<TieredCacheManager.Builder> small = (builder) -> builder.maxValueBytes(200);
		TieredCache holder = this.fixture.manager(TestRedis.connectionFactory(), CACHE, settings, small)
			.getTieredCache(CACHE);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Future<Object> held = this.executor.submit(() -> uncheck(() -> holder.getOrLoad("k", String.class, String.class,
				holder.settings(), () -> {
			loading.countDown();
			finish.await();
			return switch (reason) {
				case LOADER_THREW -> throw new IllegalStateException("database down");
				case NULL_NOT_CACHED -> null;
				case TOO_LARGE -> "x".repeat(1000);
				case UNLESS_TRUE -> "not to be cached";
			};
		}, (value) -> reason == Unstored.UNLESS_TRUE, null)));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		int waiters = 3;
		CountDownLatch allLoading = new CountDownLatch(waiters);
		List<TieredCache> others = new ArrayList<>();
		List<Future<String>> results = new ArrayList<>();
		for (int i = 0; i < waiters; i++) {
			TieredCache other = this.fixture.manager(TestRedis.connectionFactory(), CACHE, settings, small)
				.getTieredCache(CACHE);
			others.add(other);
			results.add(this.executor.submit(() -> other.get("k", String.class, () -> {
				allLoading.countDown();
				return allLoading.await(20, TimeUnit.SECONDS) ? "loaded together" : "loaded one after another";
			})));
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> others.stream().mapToLong((other) -> other.stats().remoteWaits()).sum() == waiters);
		finish.countDown();
		try {
			held.get(10, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			assertThat(reason).isEqualTo(Unstored.LOADER_THREW);
		}
		for (Future<String> result : results) {
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("loaded together");
		}
	}

	private static Object uncheck(ValueLoader call) throws Exception {
		try {
			return call.load();
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new ExecutionException(ex);
		}
	}

	@Test
	void loaderThatReadsItsOwnKeyFailsFastNamingCacheAndKey() throws Exception {
		TieredCache cache = instance();
		Future<String> recursive = this.executor.submit(() -> cache.get("k", String.class,
				() -> "outer " + cache.get("k", String.class, () -> "inner")));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> recursive.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOf(Cache.ValueRetrievalException.class)
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("Recursive load of key 'k' in cache 'books'");
		await().atMost(Duration.ofSeconds(5)).until(() -> !lockHeld("k"));
	}

	@Test
	void interruptingTheLoadingThreadLetsAnotherWaiterInThisJvmTakeOver() throws Exception {
		TieredCache cache = instance(UnaryOperator.identity());
		CountDownLatch loading = new CountDownLatch(1);
		AtomicReference<Thread> first = new AtomicReference<>();
		Future<String> interrupted = this.executor.submit(() -> cache.get("k", String.class, () -> {
			first.set(Thread.currentThread());
			loading.countDown();
			new CountDownLatch(1).await();
			return "never";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		Future<String> waiting = this.executor.submit(() -> cache.get("k", String.class, () -> "taken over"));
		await().atMost(Duration.ofSeconds(10)).until(() -> cache.stats().localWaits() == 1);
		first.get().interrupt();
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("taken over");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> interrupted.get(10, TimeUnit.SECONDS));
	}

	@Test
	void asyncLoaderFailureReachesTheCallerUnwrapped() {
		TieredCache cache = instance();
		IllegalStateException failure = new IllegalStateException("database down");
		CompletableFuture<String> retrieved = cache.retrieve("k", () -> CompletableFuture.failedFuture(failure));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> retrieved.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isSameAs(failure);
		assertThat(lockHeld("k")).isFalse();
	}

	@Test
	void asyncReadsWaitOnTheCachesOwnThreadsNeverTheCommonPool() throws Exception {
		TieredCache cache = instance();
		AtomicReference<Thread> waitingThread = new AtomicReference<>();
		CompletableFuture<String> loaded = new CompletableFuture<>();
		CompletableFuture<String> retrieved = cache.retrieve("k", () -> {
			waitingThread.set(Thread.currentThread());
			return loaded;
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> waitingThread.get() != null);
		assertThat(waitingThread.get()).isNotInstanceOf(ForkJoinWorkerThread.class)
			.extracting(Thread::getName).asString().startsWith("tiercache-async-");
		loaded.complete("v");
		assertThat(retrieved.get(10, TimeUnit.SECONDS)).isEqualTo("v");
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture("again" + loads.incrementAndGet()))
			.get(10, TimeUnit.SECONDS)).isEqualTo("v");
	}

}
