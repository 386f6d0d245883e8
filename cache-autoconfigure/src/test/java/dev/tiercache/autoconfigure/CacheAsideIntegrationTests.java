package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @CacheAside} in real Spring Boot contexts sharing a real Redis.
 */
class CacheAsideIntegrationTests {

	private final TestContexts contexts = new TestContexts();

	private final Calls calls = new Calls();

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private BookService start(String... properties) {
		ConfigurableApplicationContext context = this.contexts.start(BookApplication.class, Map.of("calls", this.calls),
				properties);
		return context.getBean(BookService.class);
	}

	@Test
	void secondCallIsServedFromCacheWithoutRunningTheMethod() {
		BookService books = start();
		assertThat(books.find(1)).isEqualTo(new Book(1, "Book 1", Genre.FICTION, LocalDate.of(2020, 1, 1)));
		assertThat(books.find(1)).isEqualTo(books.find(1));
		assertThat(this.calls.count("find")).isEqualTo(1);
	}

	@Test
	void anotherInstanceReadsTypedValuesFromRedisWithoutRunningTheMethod() {
		BookService first = start();
		BookService second = start();
		List<Book> list = first.byGenre(Genre.SCIENCE);
		Map<String, Book> map = first.byTitle("x");
		Long count = first.count(Genre.FICTION);
		Genre genre = first.genreOf(4);
		assertThat(second.byGenre(Genre.SCIENCE)).isEqualTo(list).first().isInstanceOf(Book.class);
		assertThat(second.byTitle("x")).isEqualTo(map);
		assertThat(second.count(Genre.FICTION)).isEqualTo(count).isInstanceOf(Long.class);
		assertThat(second.genreOf(4)).isEqualTo(genre);
		assertThat(this.calls.count("byGenre") + this.calls.count("byTitle") + this.calls.count("count")
				+ this.calls.count("genreOf")).isEqualTo(4);
	}

	@Test
	void aMethodReturningAListOfBooksGetsBooksAfterTheSameEntryWasReadAsARawList() {
		// issue 16 item 10: Cache.get(key, List.class) left a list of maps in L1, which the method's caller got
		BookService first = start();
		List<Book> list = first.byGenre(Genre.SCIENCE);
		ConfigurableApplicationContext other = this.contexts.start(BookApplication.class, Map.of("calls", this.calls));
		TieredCache books = other.getBean(TieredCacheManager.class).getTieredCache("books");
		assertThat(books.get("genre:SCIENCE", List.class)).first().isInstanceOf(Map.class);

		assertThat(other.getBean(BookService.class).byGenre(Genre.SCIENCE)).isEqualTo(list).first().isInstanceOf(Book.class);
		assertThat(other.getBean(BookService.class).byGenre(Genre.SCIENCE)).as("now from L1").isEqualTo(list);
		assertThat(this.calls.count("byGenre")).isEqualTo(1);
	}

	@Test
	void keyExpressionsSelectTheKey() {
		BookService books = start();
		books.findByQuery(new Query("dune", 1), "ignored");
		books.findByQuery(new Query("dune", 1), "different");
		books.findByQuery(new Query("dune", 2), "ignored");
		assertThat(this.calls.count("findByQuery")).isEqualTo(2);
		books.findByIndex("a", "b");
		books.findByIndex("a", "c");
		books.findByIndex("z", "b");
		assertThat(this.calls.count("findByIndex")).as("only #p0 is the key").isEqualTo(2);
	}

	@Test
	void conditionFalseRunsTheMethodUncached() {
		BookService books = start();
		books.findIfPositive(-1);
		books.findIfPositive(-1);
		books.findIfPositive(5);
		books.findIfPositive(5);
		assertThat(this.calls.count("findIfPositive")).isEqualTo(3);
	}

	@Test
	void unlessTrueReturnsButDoesNotCache() {
		BookService books = start();
		assertThat(books.titleUnlessDraft(1)).isEqualTo("draft");
		assertThat(books.titleUnlessDraft(1)).isEqualTo("draft");
		assertThat(this.calls.count("titleUnlessDraft")).isEqualTo(2);
	}

	@Test
	void nullAndEmptyOptionalAreCachedAndReturnedAsSuch() {
		BookService first = start();
		BookService second = start();
		assertThat(first.missing(1)).isNull();
		assertThat(first.missing(1)).isNull();
		assertThat(second.missing(1)).isNull();
		assertThat(first.maybe(0)).isEmpty();
		assertThat(second.maybe(0)).isEmpty();
		assertThat(first.maybe(3)).contains(new Book(3, "Book 3", Genre.FICTION, LocalDate.of(2020, 1, 1)));
		assertThat(second.maybe(3)).contains(new Book(3, "Book 3", Genre.FICTION, LocalDate.of(2020, 1, 1)));
		assertThat(this.calls.count("missing")).isEqualTo(1);
		assertThat(this.calls.count("maybe")).isEqualTo(2);
	}

	@Test
	void methodExceptionReachesCallerUnchangedAndNothingIsCached() {
		BookService books = start();
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> books.failing(1)).withMessage("disk on fire");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> books.failing(1));
		assertThat(this.calls.count("failing")).isEqualTo(2);
	}

	@Test
	void annotationTtlOverridesTheCacheTtl() {
		ConfigurableApplicationContext context = this.contexts.start(BookApplication.class, Map.of("calls", this.calls));
		context.getBean(BookService.class).shortLived(1);
		StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
		Long ttl = redis.getExpire(this.contexts.prefix + ":{books:0:#l:1}");
		assertThat(ttl).isNotNull().isBetween(1L, 42L);
		assertThat(context.getBean(TieredCacheManager.class).getTieredCache("books").settings().ttl().toSeconds())
			.isEqualTo(600);
	}

	enum Genre {

		FICTION, SCIENCE

	}

	record Book(long id, String title, Genre genre, LocalDate published) {
	}

	record Query(String title, int page) {
	}

	/** Counts method runs across every context of a test. */
	static final class Calls {

		private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

		void record(String method) {
			this.counts.computeIfAbsent(method, (name) -> new AtomicInteger()).incrementAndGet();
		}

		int count(String method) {
			AtomicInteger count = this.counts.get(method);
			return (count != null) ? count.get() : 0;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class BookApplication {

		@Bean
		BookService bookService(Calls calls) {
			return new BookService(calls);
		}

	}

	static class BookService {

		private final Calls calls;

		BookService(Calls calls) {
			this.calls = calls;
		}

		private static Book book(long id) {
			return new Book(id, "Book " + id, Genre.FICTION, LocalDate.of(2020, 1, 1));
		}

		@CacheAside(cache = "books")
		public Book find(long id) {
			this.calls.record("find");
			return book(id);
		}

		@CacheAside(cache = "books", key = "'genre:' + #genre")
		public List<Book> byGenre(Genre genre) {
			this.calls.record("byGenre");
			return List.of(book(1), book(2));
		}

		@CacheAside(cache = "books", key = "'title:' + #title")
		public Map<String, Book> byTitle(String title) {
			this.calls.record("byTitle");
			return Map.of("one", book(1));
		}

		@CacheAside(cache = "books", key = "'count:' + #p0")
		public Long count(Genre genre) {
			this.calls.record("count");
			return 12_345_678_901L;
		}

		@CacheAside(cache = "books", key = "'genreOf:' + #id")
		public Genre genreOf(long id) {
			this.calls.record("genreOf");
			return Genre.SCIENCE;
		}

		@CacheAside(cache = "books", key = "#query")
		public Book findByQuery(Query query, String unused) {
			this.calls.record("findByQuery");
			return book(query.page());
		}

		@CacheAside(cache = "books", key = "'index:' + #p0")
		public String findByIndex(String first, String second) {
			this.calls.record("findByIndex");
			return first + second;
		}

		@CacheAside(cache = "books", key = "'positive:' + #id", condition = "#id > 0")
		public Book findIfPositive(long id) {
			this.calls.record("findIfPositive");
			return book(id);
		}

		@CacheAside(cache = "books", key = "'draft:' + #id", unless = "#result == 'draft'")
		public String titleUnlessDraft(long id) {
			this.calls.record("titleUnlessDraft");
			return "draft";
		}

		@CacheAside(cache = "books", key = "'missing:' + #id")
		public Book missing(long id) {
			this.calls.record("missing");
			return null;
		}

		@CacheAside(cache = "books", key = "'maybe:' + #id")
		public Optional<Book> maybe(long id) {
			this.calls.record("maybe");
			return (id == 0) ? Optional.empty() : Optional.of(book(id));
		}

		@CacheAside(cache = "books", key = "'failing:' + #id")
		public Book failing(long id) throws IOException {
			this.calls.record("failing");
			throw new IOException("disk on fire");
		}

		@CacheAside(cache = "books", ttl = "${test.short-ttl:42s}", ttlJitter = "0")
		public Book shortLived(long id) {
			this.calls.record("shortLived");
			return book(id);
		}

	}

}
