package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteThrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Concurrent writes of one key on two instances: whatever order their database writes and cache
 * writes land in, the cache ends at the database's row or empty, never at the older row. The first
 * writer writes the "database" and is held there while the other instance writes; then it writes the
 * cache last, with the older row.
 */
class WriteThroughOrderTests {

	private final TestContexts contexts = new TestContexts();

	private final Database database = new Database();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
		this.contexts.close();
	}

	private ConfigurableApplicationContext start() {
		return this.contexts.start(OrderApplication.class, Map.of("database", this.database));
	}

	record Book(long id, String title) {
	}

	@ParameterizedTest
	@ValueSource(strings = { "write-through", "write-around", "Spring @CacheEvict" })
	void writeThroughHeldAfterItsDatabaseWriteNeverCachesItsOlderRow(String overtaking) throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		this.database.holdNextWrite();
		Future<?> held = this.executor.submit(() -> first.getBean(BookService.class).save(new Book(1, "older")));
		assertThat(this.database.awaitHeldWrite()).as("the first write reached the database").isTrue();
		BookService other = second.getBean(BookService.class);
		switch (overtaking) {
			case "write-through" -> other.save(new Book(1, "newer"));
			case "write-around" -> other.rename(1, "newer");
			default -> other.renameAndEvict(1, "newer");
		}
		this.database.releaseWrite();
		held.get(10, TimeUnit.SECONDS);
		assertThat(this.database.rows.get(1L)).isEqualTo(new Book(1, "newer"));
		assertThat(redisValue(first, 1)).as("Redis holds the newer row or nothing")
			.satisfiesAnyOf((value) -> assertThat(value).isNull(),
					(value) -> assertThat(value).contains("newer").doesNotContain("older"));
		for (ConfigurableApplicationContext instance : List.of(first, second, start())) {
			assertThat(instance.getBean(BookService.class).find(1)).isEqualTo(new Book(1, "newer"));
		}
		assertThat(intentKeys(first)).as("no registration outlives its writes").isEmpty();
	}

	@Test
	void writeThroughsThatDoNotOverlapStoreTheirValues() throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		first.getBean(BookService.class).save(new Book(1, "one"));
		second.getBean(BookService.class).save(new Book(1, "two"));
		assertThat(start().getBean(BookService.class).find(1)).isEqualTo(new Book(1, "two"));
		assertThat(this.database.reads).as("every read was a hit").hasValue(0);
		assertThat(intentKeys(first)).isEmpty();
	}

	@Test
	void writeThroughThatFailsWithdrawsItsIntentSoTheNextWriteStores() throws Exception {
		ConfigurableApplicationContext context = start();
		BookService service = context.getBean(BookService.class);
		assertThatIllegalStateException().isThrownBy(() -> service.saveOrFail(new Book(1, "never")));
		assertThat(intentKeys(context)).isEmpty();
		service.save(new Book(1, "stored"));
		assertThat(start().getBean(BookService.class).find(1)).isEqualTo(new Book(1, "stored"));
		assertThat(this.database.reads).hasValue(0);
	}

	@Test
	void writeThroughThatFailsWhileAnotherWritesMakesTheOtherDelete() throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		this.database.rows.put(1L, new Book(1, "committed"));
		this.database.holdNextWrite();
		Future<?> held = this.executor.submit(() -> first.getBean(BookService.class).saveThenFail(new Book(1, "partial")));
		assertThat(this.database.awaitHeldWrite()).isTrue();
		second.getBean(BookService.class).save(new Book(1, "newer"));
		this.database.rows.put(1L, new Book(1, "after both"));
		this.database.releaseWrite();
		assertThat(held).failsWithin(10, TimeUnit.SECONDS);
		assertThat(redisValue(first, 1)).as("the failed write may have landed after the other: nothing cached").isNull();
		assertThat(second.getBean(BookService.class).find(1)).isEqualTo(new Book(1, "after both"));
	}

	@Test
	void writeThroughHeldAcrossAClearOfTheCacheNeverCachesItsOlderRow() throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		this.database.rows.put(2L, new Book(2, "other"));
		BookService firstBooks = first.getBean(BookService.class);
		firstBooks.find(2);
		this.database.holdNextWrite();
		Future<?> held = this.executor.submit(() -> firstBooks.save(new Book(1, "older")));
		assertThat(this.database.awaitHeldWrite()).isTrue();
		second.getBean(BookService.class).clear();
		int readsBefore = this.database.reads.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			firstBooks.find(2);
			return this.database.reads.get() > readsBefore;
		});
		second.getBean(BookService.class).save(new Book(1, "newer"));
		this.database.releaseWrite();
		held.get(10, TimeUnit.SECONDS);
		assertThat(this.database.rows.get(1L)).isEqualTo(new Book(1, "newer"));
		assertThat(start().getBean(BookService.class).find(1)).isEqualTo(new Book(1, "newer"));
	}

	@Test
	void writeThroughKeyedByItsResultNeverCachesARowOlderThanAnAnnouncedWrite() throws Exception {
		ConfigurableApplicationContext first = start();
		ConfigurableApplicationContext second = start();
		this.database.holdNextWrite();
		Future<?> held = this.executor.submit(() -> first.getBean(BookService.class).create(new Book(1, "older")));
		assertThat(this.database.awaitHeldWrite()).isTrue();
		second.getBean(BookService.class).save(new Book(1, "newer"));
		this.database.releaseWrite();
		held.get(10, TimeUnit.SECONDS);
		assertThat(this.database.rows.get(1L)).isEqualTo(new Book(1, "newer"));
		assertThat(start().getBean(BookService.class).find(1)).isEqualTo(new Book(1, "newer"));
	}

	private String redisValue(ConfigurableApplicationContext context, long id) {
		return context.getBean(StringRedisTemplate.class).opsForValue().get(this.contexts.prefix + ":{books:0:#l:" + id + "}");
	}

	private Set<String> intentKeys(ConfigurableApplicationContext context) {
		return context.getBean(StringRedisTemplate.class).keys(this.contexts.prefix + ":intents:*");
	}

	/** The "database": rows, a read counter, and a latch that can hold the next write after it wrote. */
	static final class Database {

		final Map<Long, Book> rows = new ConcurrentHashMap<>();

		final AtomicInteger reads = new AtomicInteger();

		private volatile CountDownLatch written = new CountDownLatch(0);

		private volatile CountDownLatch released = new CountDownLatch(0);

		Book read(long id) {
			this.reads.incrementAndGet();
			return this.rows.get(id);
		}

		void write(Book book) {
			this.rows.put(book.id(), book);
			CountDownLatch holding = this.written;
			if (holding.getCount() > 0) {
				holding.countDown();
				try {
					this.released.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		void holdNextWrite() {
			this.released = new CountDownLatch(1);
			this.written = new CountDownLatch(1);
		}

		boolean awaitHeldWrite() throws InterruptedException {
			return this.written.await(10, TimeUnit.SECONDS);
		}

		void releaseWrite() {
			this.released.countDown();
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class OrderApplication {

		@Bean
		BookService bookService(Database database) {
			return new BookService(database);
		}

	}

	static class BookService {

		private final Database database;

		BookService(Database database) {
			this.database = database;
		}

		@CacheAside(cache = "books", key = "#id")
		public Book find(long id) {
			return this.database.read(id);
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public void save(Book book) {
			this.database.write(book);
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public void saveOrFail(Book book) {
			throw new IllegalStateException("constraint violated");
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public void saveThenFail(Book book) {
			this.database.write(book);
			throw new IllegalStateException("failed after writing");
		}

		@WriteThrough(cache = "books", key = "#result.id")
		public Book create(Book book) {
			this.database.write(book);
			return book;
		}

		@CacheInvalidate(cache = "books", allEntries = true)
		public void clear() {
		}

		@WriteAround(cache = "books", key = "#id")
		public void rename(long id, String title) {
			this.database.write(new Book(id, title));
		}

		@CacheEvict(cacheNames = "books", key = "#id")
		public void renameAndEvict(long id, String title) {
			this.database.write(new Book(id, title));
		}

	}

}
