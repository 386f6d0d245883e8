package dev.tiercache.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 8, the write patterns without transactions: {@code @WriteThrough}, {@code @WriteAround} and
 * {@code @CacheInvalidate} on two application contexts (two instances) sharing one Redis and one
 * "database" (a shared map with a query counter), including the stale-set race with a held load.
 */
class WritePatternsIntegrationTests {

	private final TestContexts contexts = new TestContexts();

	private final Database database = new Database();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		return this.contexts.start(WriteApplication.class, Map.of("database", this.database), properties);
	}

	record Book(long id, String title) {
	}

	@Test
	void writeThroughIsReadByAnotherInstanceWithoutALoad() throws Exception {
		BookService first = start().getBean(BookService.class);
		BookService second = start().getBean(BookService.class);
		first.save(new Book(1, "Dune"));
		assertThat(second.find(1)).isEqualTo(new Book(1, "Dune"));
		assertThat(this.database.gate.reads).hasValue(0);
	}

	@Test
	void writeThroughOfTheResultDeletesTheKeyFromTheResult() throws Exception {
		BookService first = start().getBean(BookService.class);
		BookService second = start().getBean(BookService.class);
		Book created = first.create("Emma");
		assertThat(second.find(created.id())).isEqualTo(created);
		assertThat(this.database.gate.reads).as("a key known only after the write is deleted, then loaded").hasValue(1);
	}

	@Test
	void methodThatThrowsLeavesTheCacheUntouched() throws Exception {
		BookService service = start().getBean(BookService.class);
		service.save(new Book(1, "Dune"));
		assertThatIllegalStateException().isThrownBy(() -> service.saveOrFail(new Book(1, "Dune Messiah")))
			.withMessage("constraint violated");
		assertThat(service.find(1)).isEqualTo(new Book(1, "Dune"));
		assertThat(start().getBean(BookService.class).find(1)).isEqualTo(new Book(1, "Dune"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "write-through, same instance", "write-through, other instance",
			"write-around, same instance", "write-around, other instance" })
	void loadThatReadTheOldRowNeverStoresItAfterAWrite(String scenario) throws Exception {
		ConfigurableApplicationContext loading = start();
		ConfigurableApplicationContext writing = scenario.endsWith("same instance") ? loading : start();
		ConfigurableApplicationContext observer = start();
		this.database.rows.put(1L, new Book(1, "old"));
		this.database.gate.holdNextRead();
		Future<Book> staleLoad = this.executor.submit(() -> loading.getBean(BookService.class).find(1));
		assertThat(this.database.gate.awaitHeldRead()).as("the load read the old row").isTrue();
		BookService writer = writing.getBean(BookService.class);
		if (scenario.startsWith("write-through")) {
			writer.save(new Book(1, "new"));
		}
		else {
			writer.rename(1, "new");
		}
		this.database.gate.release();
		assertThat(staleLoad.get(10, TimeUnit.SECONDS)).as("its own caller gets what it read").isEqualTo(new Book(1, "old"));
		String redisValue = loading.getBean(StringRedisTemplate.class).opsForValue()
			.get(this.contexts.prefix + ":{books:0:#l:1}");
		assertThat(redisValue).as("Redis holds the new value or nothing").satisfiesAnyOf(
				(value) -> assertThat(value).isNull(), (value) -> assertThat(value).contains("new").doesNotContain("old"));
		for (ConfigurableApplicationContext instance : List.of(loading, writing, observer)) {
			assertThat(instance.getBean(BookService.class).find(1)).isEqualTo(new Book(1, "new"));
		}
	}

	@Test
	void valueThatCannotBeCachedDeletesTheKeyInsteadOfLeavingItStale() throws Exception {
		BookService service = start("tiercache.max-value-size=100B").getBean(BookService.class);
		service.save(new Book(1, "short"));
		service.save(new Book(1, "x".repeat(500)));
		assertThat(start("tiercache.max-value-size=100B").getBean(BookService.class).find(1).title()).hasSize(500);
		assertThat(this.database.gate.reads).as("the old value was gone, so the read loaded").hasValue(1);
	}

	@Test
	void invalidateDeletesAKeyAfterTheMethodAndEverythingWithAllEntries() throws Exception {
		ConfigurableApplicationContext context = start();
		BookService service = context.getBean(BookService.class);
		service.save(new Book(1, "Dune"));
		service.save(new Book(2, "Emma"));
		this.database.rows.put(1L, new Book(1, "Dune, revised"));
		service.forget(1);
		assertThat(service.find(1)).isEqualTo(new Book(1, "Dune, revised"));
		assertThat(service.find(2)).isEqualTo(new Book(2, "Emma"));
		this.database.rows.put(2L, new Book(2, "Emma, revised"));
		service.forgetAll();
		assertThat(service.find(2)).isEqualTo(new Book(2, "Emma, revised"));
		assertThat(context.getBean(TieredCacheManager.class).getTieredCache("books").stats().loads()).isEqualTo(2);
	}

	@Test
	void springCacheEvictOfAllEntriesBumpsTheNamespaceToo() throws Exception {
		ConfigurableApplicationContext context = start();
		BookService service = context.getBean(BookService.class);
		this.database.rows.put(3L, new Book(3, "Emma"));
		assertThat(service.shelved(3)).isEqualTo(new Book(3, "Emma"));
		this.database.rows.put(3L, new Book(3, "Emma, revised"));
		service.emptyShelf();
		assertThat(context.getBean(StringRedisTemplate.class).opsForValue().get(this.contexts.prefix + ":ns:{shelf}"))
			.isEqualTo("1");
		assertThat(service.shelved(3)).isEqualTo(new Book(3, "Emma, revised"));
	}

	@Test
	void invalidateBeforeInvocationDeletesEvenWhenTheMethodThrows() throws Exception {
		BookService service = start().getBean(BookService.class);
		service.save(new Book(1, "Dune"));
		this.database.rows.put(1L, new Book(1, "Dune, revised"));
		assertThatIllegalStateException().isThrownBy(() -> service.forgetFirstThenFail(1));
		assertThat(service.find(1)).isEqualTo(new Book(1, "Dune, revised"));
	}

	@Test
	void writeThroughWithoutAValueToWriteFailsAtStartup() throws Exception {
		assertThatThrownBy(() -> this.contexts.start(NoValueApplication.class, Map.of("database", this.database)))
			.rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("@WriteThrough(cache = \"books\") on")
			.hasMessageContaining("has no value to write")
			.hasMessageContaining("set 'value'");
	}

	@Test
	void writeAnnotationOnAFinalMethodFailsAtStartup() throws Exception {
		assertThatThrownBy(() -> this.contexts.start(FinalMethodApplication.class, Map.of("database", this.database)))
			.rootCause()
			.hasMessageContaining("@WriteAround on final method")
			.hasMessageContaining("would never run");
	}

	@Test
	void writeThroughOfAnAsynchronousResultFailsAtStartup() throws Exception {
		assertThatThrownBy(() -> this.contexts.start(AsyncApplication.class, Map.of("database", this.database)))
			.rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("@WriteThrough on")
			.hasMessageContaining("asynchronous results are not supported yet");
	}

	@Test
	void cacheAsideCombinedWithAWriteFailsAtStartup() throws Exception {
		assertThatThrownBy(() -> this.contexts.start(MixedApplication.class, Map.of("database", this.database)))
			.rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("cannot be combined with")
			.hasMessageContaining("separate methods");
	}

	/** The "database": rows, and a gate that counts and can hold reads. */
	static final class Database {

		final Map<Long, Book> rows = new ConcurrentHashMap<>();

		final ReadGate gate = new ReadGate();

		Book read(long id) {
			Book row = this.rows.get(id);
			this.gate.afterRead();
			return row;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class WriteApplication {

		@Bean
		BookService bookService(Database database) {
			return new BookService(database);
		}

	}

	static class BookService {

		private static final AtomicInteger ids = new AtomicInteger(100);

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
			this.database.rows.put(book.id(), book);
		}

		@WriteThrough(cache = "books", key = "#result.id")
		public Book create(String title) {
			Book book = new Book(ids.incrementAndGet(), title);
			this.database.rows.put(book.id(), book);
			return book;
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public void saveOrFail(Book book) {
			throw new IllegalStateException("constraint violated");
		}

		@WriteAround(cache = "books", key = "#id")
		public void rename(long id, String title) {
			this.database.rows.put(id, new Book(id, title));
		}

		@CacheInvalidate(cache = "books", key = "#id")
		public void forget(long id) {
		}

		@CacheInvalidate(cache = "books", allEntries = true)
		public void forgetAll() {
		}

		@Cacheable("shelf")
		public Book shelved(long id) {
			return this.database.read(id);
		}

		@CacheEvict(cacheNames = "shelf", allEntries = true)
		public void emptyShelf() {
		}

		@CacheInvalidate(cache = "books", key = "#id", beforeInvocation = true)
		public void forgetFirstThenFail(long id) {
			throw new IllegalStateException("failed after the delete");
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class NoValueApplication {

		@Bean
		NoValueService noValueService() {
			return new NoValueService();
		}

	}

	static class NoValueService {

		@WriteThrough(cache = "books", key = "#id")
		public void update(long id, String title) {
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class FinalMethodApplication {

		@Bean
		FinalMethodService finalMethodService() {
			return new FinalMethodService();
		}

	}

	static class FinalMethodService {

		@WriteAround(cache = "books")
		public final void rename(long id) {
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AsyncApplication {

		@Bean
		AsyncService asyncService() {
			return new AsyncService();
		}

	}

	static class AsyncService {

		@WriteThrough(cache = "books", key = "#id")
		public CompletableFuture<Book> save(long id) {
			return CompletableFuture.completedFuture(new Book(id, "x"));
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class MixedApplication {

		@Bean
		MixedService mixedService() {
			return new MixedService();
		}

	}

	static class MixedService {

		@CacheAside(cache = "books")
		@WriteAround(cache = "books")
		public String both(long id) {
			return "x";
		}

	}

}
