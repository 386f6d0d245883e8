package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, L1: a typed caller never gets a value of another type from L1, writes win over reads and
 * loads in flight, and entries expire even without the clock thread. Real Redis, real threads.
 */
class LocalTierTests {

	private static final String CACHE = "books";

	private static final Object ABSENT = new Object();

	private static final Type LIST_OF_BOOKS = new ParameterizedTypeReference<List<Book>>() {
	}.getType();

	private final TierFixture fixture = new TierFixture();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		this.fixture.close();
	}

	record Book(String title, int pages) {
	}

	/**
	 * The reader's allow-list does not admit the entry's type hint (issue 19), so its untyped read decodes
	 * the JSON as a map, as every untyped read did before type hints.
	 */
	@Test
	void untypedReadDoesNotFillL1WithAMapForTypedCallers() throws Throwable {
		this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE).put("k", new Book("Dune", 412));
		TieredCache reader = this.fixture.manager(TestRedis.connectionFactory(), CACHE, UnaryOperator.identity(),
				(builder) -> builder
					.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.other")))))
			.getTieredCache(CACHE);
		assertThat(reader.get("k")).isNotNull().extracting((wrapper) -> wrapper.get()).isInstanceOf(Map.class);
		assertThat(reader.peekLocal("k", Book.class, Book.class, ABSENT)).isSameAs(ABSENT);
		Object typed = reader.getOrLoad("k", Book.class, Book.class, reader.settings(), () -> new Book("loaded", 1),
				null, null);
		assertThat(typed).isEqualTo(new Book("Dune", 412));
		assertThat(reader.peekLocal("k", Book.class, Book.class, ABSENT)).isEqualTo(new Book("Dune", 412));
	}

	@Test
	void l1ValueOfAnotherTypeIsNeverReturnedToATypedCaller() throws Throwable {
		TieredCache cache = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		cache.put("k", Map.of("title", "Dune", "pages", 412), Object.class);
		assertThat(cache.peekLocal("k", Book.class, Book.class, ABSENT)).isSameAs(ABSENT);
		assertThat(
				cache.getOrLoad("k", Book.class, Book.class, cache.settings(), () -> new Book("loaded", 1), null, null))
			.isEqualTo(new Book("Dune", 412));
	}

	@Test
	void aValueDecodedAsARawListIsNotGivenFromL1ToACallerOfAListOfBooks() throws Throwable {
		// issue 16 item 10: get(k, List.class) filled L1 with a list of maps, which a List<Book> caller got
		this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE)
			.put("k", List.of(new Book("Dune", 412)), LIST_OF_BOOKS);
		TieredCache reader = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		// the reader clears its L1 once in the background after it switched tracking on: each step is
		// made again if that clear came in the middle of it
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(reader.get("k", List.class)).singleElement().isInstanceOf(Map.class);
			assertThat(reader.peekLocal("k", LIST_OF_BOOKS, List.class, ABSENT)).as("the annotation's hit path")
				.isSameAs(ABSENT);
			assertThat(reader.peekLocal("k", List.class, List.class, ABSENT)).as("the maps, in L1")
				.asInstanceOf(InstanceOfAssertFactories.LIST).singleElement().isInstanceOf(Map.class);
		});
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(reader.getOrLoad("k", LIST_OF_BOOKS, List.class, reader.settings(),
					() -> List.of(new Book("loaded", 1)), null, null))
				.asInstanceOf(InstanceOfAssertFactories.LIST).singleElement().isEqualTo(new Book("Dune", 412));
			assertThat(reader.peekLocal("k", LIST_OF_BOOKS, List.class, ABSENT)).as("decoded again, now in L1")
				.asInstanceOf(InstanceOfAssertFactories.LIST).singleElement().isEqualTo(new Book("Dune", 412));
			assertThat(reader.get("k", List.class)).as("a raw caller may have the books").singleElement()
				.isInstanceOf(Book.class);
		});
		assertThat(reader.stats().loads()).isZero();
	}

	@Test
	void aCallerOfAListOfBooksThatJoinsAReadAsARawListReadsForItself() throws Throwable {
		this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE)
			.put("k", List.of(new Book("Dune", 412)), LIST_OF_BOOKS);
		PausingCodec codec = new PausingCodec();
		TieredCache reader = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, UnaryOperator.identity(), (builder) -> builder.codec(codec))
			.getTieredCache(CACHE);
		Future<Object> raw = this.executor.submit(() -> reader.get("k", List.class, () -> List.of()));
		assertThat(codec.decoding.await(10, TimeUnit.SECONDS)).as("the raw read is decoding").isTrue();
		Future<Object> typed = this.executor.submit(() -> reader.get("k", LIST_OF_BOOKS, () -> List.of()));
		await().atMost(Duration.ofSeconds(10)).until(() -> reader.stats().localWaits() == 1);
		codec.resume.countDown();

		assertThat(raw.get(10, TimeUnit.SECONDS)).asInstanceOf(InstanceOfAssertFactories.LIST)
			.singleElement().isInstanceOf(Map.class);
		assertThat(typed.get(10, TimeUnit.SECONDS)).asInstanceOf(InstanceOfAssertFactories.LIST)
			.singleElement().isEqualTo(new Book("Dune", 412));
	}

	@Test
	void putWinsOverARedisReadInFlight() throws Exception {
		ReadInFlight read = readInFlightOfV1();
		read.cache().put("k", "v2");
		read.finish();
		// the put's own echo (Redis before 7.2 reports a script's writes back) leaves v2 a suspect until a
		// check of Redis settles; a check that cannot (a loaded machine, past the Redis timeout) evicts it
		assertThat(read.cache().peekLocal("k", String.class, String.class, ABSENT))
			.as("the earlier read did not replace the put in L1")
			.isIn("v2", ABSENT);
		assertThat(read.cache().get("k", String.class)).isEqualTo("v2");
	}

	@Test
	void evictWinsOverARedisReadInFlight() throws Exception {
		ReadInFlight read = readInFlightOfV1();
		read.cache().evict("k");
		read.finish();
		assertThat(read.cache().peekLocal("k", String.class, String.class, ABSENT)).isSameAs(ABSENT);
	}

	/** A read of "k" that has fetched "v1" from Redis and waits before it fills L1. */
	private ReadInFlight readInFlightOfV1() throws InterruptedException {
		PausingCodec codec = new PausingCodec();
		this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE).put("k", "v1");
		TieredCache cache = this.fixture
			.manager(TestRedis.connectionFactory(), CACHE, UnaryOperator.identity(), (builder) -> builder.codec(codec))
			.getTieredCache(CACHE);
		Future<String> reader = this.executor.submit(() -> cache.get("k", String.class));
		assertThat(codec.decoding.await(10, TimeUnit.SECONDS)).as("the reader fetched v1 from Redis").isTrue();
		return new ReadInFlight(cache, codec, reader);
	}

	private record ReadInFlight(TieredCache cache, PausingCodec codec, Future<String> reader) {

		void finish() throws Exception {
			this.codec.resume.countDown();
			assertThat(this.reader.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
		}

	}

	@Test
	void clearRevokesLoadsInFlightInBothTiers() throws Exception {
		TieredCache cache = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch cleared = new CountDownLatch(1);
		Future<String> load = this.executor.submit(() -> cache.get("k", String.class, () -> {
			loading.countDown();
			cleared.await();
			return "loaded before the clear";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		cache.clear();
		cleared.countDown();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded before the clear");
		assertThat(cache.peekLocal("k", String.class, String.class, ABSENT)).isSameAs(ABSENT);
		assertThat(cache.get("k", String.class, () -> "loaded after the clear")).isEqualTo("loaded after the clear");
		TieredCache other = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		assertThat(other.get("k", String.class, () -> "not expected")).isEqualTo("loaded after the clear");
	}

	@Test
	void inLocalModeASlowLoadNeverOverwritesAConcurrentPutOrEvict() throws Exception {
		TieredCache cache = this.fixture.manager(CACHE, (settings) -> settings.withMode(CacheMode.LOCAL))
			.getTieredCache(CACHE);
		for (boolean evict : List.of(false, true)) {
			String key = "k" + evict;
			CountDownLatch loading = new CountDownLatch(1);
			CountDownLatch written = new CountDownLatch(1);
			Future<String> load = this.executor.submit(() -> cache.get(key, String.class, () -> {
				loading.countDown();
				written.await();
				return "stale";
			}));
			assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
			if (evict) {
				cache.evict(key);
			}
			else {
				cache.put(key, "fresh");
			}
			written.countDown();
			assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("stale");
			assertThat(cache.peekLocal(key, String.class, String.class, ABSENT)).isEqualTo(evict ? ABSENT : "fresh");
		}
	}

	@Test
	void l1EntriesStillExpireAfterTheManagerIsDestroyed() throws Exception {
		TieredCacheManager manager = this.fixture.manager(CACHE,
				(settings) -> settings.withMode(CacheMode.LOCAL).withTtl(Duration.ofMillis(300)).withTtlJitter(0));
		TieredCache cache = manager.getTieredCache(CACHE);
		cache.put("k", "v");
		manager.destroy();
		assertThat(cache.peekLocal("k", String.class, String.class, ABSENT)).isEqualTo("v");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> cache.peekLocal("k", String.class, String.class, ABSENT) == ABSENT);
	}

	@Test
	void clockFallsBackToTheSystemClockWhenItsThreadDies() {
		Set<Thread> before = Thread.getAllStackTraces().keySet();
		CoarseClock clock = new CoarseClock();
		try {
			Thread ticker = Thread.getAllStackTraces().keySet().stream()
				.filter((thread) -> thread.getName().equals("tiercache-clock") && !before.contains(thread))
				.findFirst()
				.orElseThrow();
			ticker.interrupt();
			await().atMost(Duration.ofSeconds(5)).until(() -> !ticker.isAlive());
			long first = clock.read();
			await().atMost(Duration.ofSeconds(5)).until(() -> clock.read() - first >= TimeUnit.MILLISECONDS.toNanos(20));
		}
		finally {
			clock.close();
		}
	}

	/** The default codec, holding the first decode until told to go on. */
	static final class PausingCodec implements ValueCodec {

		final CountDownLatch decoding = new CountDownLatch(1);

		final CountDownLatch resume = new CountDownLatch(1);

		private final ValueCodec delegate = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of()));

		@Override
		public EncodedValue encode(Object value, Type declaredType) {
			return this.delegate.encode(value, declaredType);
		}

		@Override
		public Object decode(int format, byte[] source, int offset, int length, Type type) {
			if (this.decoding.getCount() > 0) {
				this.decoding.countDown();
				try {
					this.resume.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return this.delegate.decode(format, source, offset, length, type);
		}

	}

}
