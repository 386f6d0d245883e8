package dev.tiercache.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestTransactions;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20 item 1, through the annotations: {@code @CacheAside(tags)} over the parameters and
 * {@code #result}, and {@code @CacheInvalidate(tags)}, on two instances sharing Redis.
 */
class TaggedMethodsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TestManagers managers = new TestManagers();

	private final Library library = new Library();

	private final Catalog here = proxy(this.managers.redis(CacheSettings.DEFAULTS, "books"));

	private final Catalog elsewhere = proxy(this.managers.redis(CacheSettings.DEFAULTS, "books"));

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void anAuthorsInvalidationDropsTheirBooksOnEveryInstanceAndNoOthers() {
		this.library.add(new Book(1, "Dune", "herbert", List.of("sf")));
		this.library.add(new Book(2, "Hyperion", "simmons", List.of("sf")));
		assertThat(this.here.book(1).title()).isEqualTo("Dune");
		assertThat(this.here.book(2).title()).isEqualTo("Hyperion");
		assertThat(this.elsewhere.book(1).title()).as("read from Redis").isEqualTo("Dune");
		assertThat(this.library.loads).hasValue(2);
		this.library.add(new Book(1, "Dune (revised)", "herbert", List.of("sf")));
		this.here.authorChanged("herbert");
		assertThat(this.here.book(1).title()).isEqualTo("Dune (revised)");
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.elsewhere.book(1).title()).isEqualTo("Dune (revised)"));
		assertThat(this.here.book(2).title()).isEqualTo("Hyperion");
		assertThat(this.library.loads).as("Hyperion was not loaded again").hasValue(3);
	}

	@Test
	void tagsFromACollectionOfTheResultAndFromACollectionParameter() {
		this.library.add(new Book(1, "Dune", "herbert", List.of("sf", "classic")));
		this.library.add(new Book(2, "Emma", "austen", List.of("classic")));
		this.library.add(new Book(3, "Hyperion", "simmons", List.of("sf")));
		for (long id = 1; id <= 3; id++) {
			this.here.book(id);
		}
		this.elsewhere.genresRenamed(List.of("classic", "poetry"));
		this.library.add(new Book(1, "Dune, reclassified", "herbert", List.of("sf")));
		this.library.add(new Book(2, "Emma, reclassified", "austen", List.of("novel")));
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.here.book(1).title()).isEqualTo("Dune, reclassified");
			assertThat(this.here.book(2).title()).isEqualTo("Emma, reclassified");
		});
		assertThat(this.here.book(3).title()).isEqualTo("Hyperion");
	}

	@Test
	void anOptionalResultIsTaggedAsTheValueItHolds() {
		this.library.add(new Book(4, "Ubik", "dick", List.of()));
		assertThat(this.here.find(4)).map(Book::title).hasValue("Ubik");
		this.library.add(new Book(4, "Ubik (revised)", "dick", List.of()));
		this.here.authorChanged("dick");
		assertThat(this.here.find(4)).map(Book::title).hasValue("Ubik (revised)");
	}

	@Test
	void anInvalidationByKeyAndTagDropsBoth() {
		this.library.add(new Book(1, "Dune", "herbert", List.of()));
		this.library.add(new Book(5, "Dune Messiah", "herbert", List.of()));
		this.here.book(1);
		this.here.book(5);
		this.library.add(new Book(1, "Dune, moved", "herbert", List.of()));
		this.library.add(new Book(5, "Dune Messiah, moved", "herbert", List.of()));
		assertThat(this.here.move(1)).isEqualTo("herbert");
		assertThat(this.here.book(1).title()).isEqualTo("Dune, moved");
		assertThat(this.here.book(5).title()).as("by the tag from #result").isEqualTo("Dune Messiah, moved");
	}

	@Test
	void anInvalidationInATransactionIsMadeAfterCommit() {
		this.library.add(new Book(1, "Dune", "herbert", List.of()));
		this.here.book(1);
		this.library.add(new Book(1, "Dune, committed", "herbert", List.of()));
		TestTransactions.template().executeWithoutResult((status) -> {
			this.here.authorChanged("herbert");
			assertThat(this.elsewhere.book(1).title()).as("before commit").isEqualTo("Dune");
		});
		assertThat(this.here.book(1).title()).isEqualTo("Dune, committed");
	}

	@Test
	void aTagExpressionThatYieldsABlankTagFailsNamingItAndTheMethod() {
		this.library.add(new Book(6, "Unclassified", "anonymous", List.of(" ")));
		assertThatIllegalStateException().isThrownBy(() -> this.here.book(6))
			.withMessageContaining("@CacheAside(tags = \"#result.genres()\")")
			.withMessageContaining("Catalog.book(long)")
			.withMessageContaining("yielded the tag ' ', which is blank");
		assertThatIllegalStateException().as("nothing was cached: loaded again").isThrownBy(() -> this.here.book(6));
		assertThat(this.library.loads).hasValue(2);
	}

	private Catalog proxy(TieredCacheManager manager) {
		ProxyFactory factory = new ProxyFactory(new Catalog(this.library));
		factory.setProxyTargetClass(true);
		factory.addAdvisor(new TiercacheAdvisor(new TiercacheOperationSource(() -> manager, null)));
		return (Catalog) factory.getProxy();
	}

	record Book(long id, String title, String author, List<String> genres) {
	}

	/** The backing store both instances read. */
	static final class Library {

		private final Map<Long, Book> books = new ConcurrentHashMap<>();

		private final AtomicInteger loads = new AtomicInteger();

		void add(Book book) {
			this.books.put(book.id(), book);
		}

		Book load(long id) {
			this.loads.incrementAndGet();
			return this.books.get(id);
		}

	}

	static class Catalog {

		private final Library library;

		Catalog(Library library) {
			this.library = library;
		}

		@CacheAside(cache = "books", tags = { "'author:' + #result.author()", "#result.genres()" })
		public Book book(long id) {
			return this.library.load(id);
		}

		@CacheAside(cache = "books", key = "'found:' + #id", tags = "'author:' + #result.author()")
		public Optional<Book> find(long id) {
			return Optional.ofNullable(this.library.load(id));
		}

		@CacheInvalidate(cache = "books", tags = "'author:' + #author")
		public void authorChanged(String author) {
		}

		@CacheInvalidate(cache = "books", tags = "#genres")
		public void genresRenamed(List<String> genres) {
		}

		@CacheInvalidate(cache = "books", key = "#id", tags = "'author:' + #result")
		public String move(long id) {
			return this.library.books.get(id).author();
		}

	}

}
