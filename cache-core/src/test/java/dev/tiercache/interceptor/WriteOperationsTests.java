package dev.tiercache.interceptor;

import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;

import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The write annotations end to end: a bean proxied with Spring's {@link ProxyFactory} and
 * {@link TiercacheAdvisor}, on a local cache. {@code @WriteThrough} caches the written value once the
 * method returned (the returned value, the only argument of a {@code void} method, or its
 * {@code value} expression) and deletes the key instead when the key is known only from the result;
 * {@code @WriteAround} and {@code @CacheInvalidate} delete after the method, or all entries, or before
 * it. A method that throws reaches the caller unchanged and leaves the cache as the before-invocation
 * deletes left it.
 */
class WriteOperationsTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCacheManager manager = this.managers.local("books");

	private final TieredCache cache = this.manager.getTieredCache("books");

	private final Catalog target = new Catalog(this.cache);

	private final Catalog catalog = proxy(this.target);

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void aWriteThroughCachesTheReturnedValueOnceTheMethodReturned() {
		this.cache.put(1L, new Book(1L, "old"));
		this.catalog.save(new Book(1L, "new"));
		assertThat(this.target.seenDuringCall).as("while the method ran").hasValue(new Book(1L, "old"));
		assertThat(this.cache.get(1L, Book.class)).isEqualTo(new Book(1L, "new"));
	}

	@Test
	void aWriteThroughOfAVoidMethodCachesItsOnlyArgument() {
		this.catalog.store(new Book(2L, "stored"));
		assertThat(this.cache.get(2L, Book.class)).isEqualTo(new Book(2L, "stored"));
	}

	@Test
	void aWriteThroughCachesWhatItsValueExpressionYields() {
		this.catalog.rename(3L, "renamed");
		assertThat(this.cache.get(3L, String.class)).isEqualTo("renamed");
	}

	@Test
	void aWriteThroughWhoseConditionIsFalseWritesNothing() {
		this.cache.put(4L, new Book(4L, "old"));
		this.catalog.saveUnlessDraft(new Book(4L, "draft"));
		assertThat(this.cache.get(4L, Book.class)).isEqualTo(new Book(4L, "old"));
	}

	@Test
	void aWriteThroughKeyedByTheResultDeletesTheKeyInsteadOfCachingIt() {
		this.cache.put(5L, new Book(5L, "old"));
		Book created = this.catalog.create("created");
		assertThat(created.id()).isEqualTo(5L);
		assertThat(this.cache.get(5L)).isNull();
	}

	@Test
	void aWriteThroughWhoseMethodThrowsLeavesTheCacheAndTheExceptionUnchanged() {
		this.cache.put(6L, new Book(6L, "old"));
		assertThat(catchThrowable(() -> this.catalog.saveFailing(new Book(6L, "new")))).isSameAs(this.target.failure);
		assertThat(this.cache.get(6L, Book.class)).isEqualTo(new Book(6L, "old"));
	}

	@Test
	void aWriteAroundDeletesTheKeyOnceTheMethodReturned() {
		this.cache.put(7L, new Book(7L, "old"));
		this.catalog.update(7L);
		assertThat(this.target.seenDuringCall).as("while the method ran").hasValue(new Book(7L, "old"));
		assertThat(this.cache.get(7L)).isNull();
	}

	@Test
	void anInvalidationDeletesTheKeyOnceTheMethodReturned() {
		this.cache.put(8L, new Book(8L, "old"));
		this.cache.put(9L, new Book(9L, "kept"));
		this.catalog.delete(8L);
		assertThat(this.target.seenDuringCall).as("while the method ran").hasValue(new Book(8L, "old"));
		assertThat(this.cache.get(8L)).isNull();
		assertThat(this.cache.get(9L, Book.class)).isEqualTo(new Book(9L, "kept"));
	}

	@Test
	void anInvalidationOfAllEntriesClearsTheCache() {
		this.cache.put(10L, new Book(10L, "one"));
		this.cache.put(11L, new Book(11L, "two"));
		this.catalog.deleteAll();
		assertThat(this.cache.get(10L)).isNull();
		assertThat(this.cache.get(11L)).isNull();
	}

	@Test
	void anInvalidationBeforeInvocationDeletesTheKeyEvenWhenTheMethodThrows() {
		this.cache.put(12L, new Book(12L, "old"));
		assertThat(catchThrowable(() -> this.catalog.deleteFirst(12L))).isSameAs(this.target.failure);
		assertThat(this.target.seenDuringCall.get()).as("while the method ran").isNull();
		assertThat(this.cache.get(12L)).isNull();
	}

	@Test
	void anInvalidationAfterAMethodThatThrowsDeletesNothing() {
		this.cache.put(13L, new Book(13L, "old"));
		assertThat(catchThrowable(() -> this.catalog.deleteFailing(13L))).isSameAs(this.target.failure);
		assertThat(this.cache.get(13L, Book.class)).isEqualTo(new Book(13L, "old"));
	}

	private Catalog proxy(Catalog target) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvisor(new TiercacheAdvisor(new TiercacheOperationSource(() -> this.manager, null)));
		return (Catalog) factory.getProxy();
	}

	record Book(long id, String title) {
	}

	public static class Catalog {

		/** What the cache held for the key while the method ran; a book of id -1 until the method ran. */
		final AtomicReference<@Nullable Book> seenDuringCall = new AtomicReference<>(new Book(-1L, "not called"));

		final IllegalStateException failure = new IllegalStateException("database down");

		private final TieredCache cache;

		Catalog(TieredCache cache) {
			this.cache = cache;
		}

		private void see(long id) {
			this.seenDuringCall.set(this.cache.get(id, Book.class));
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public Book save(Book book) {
			see(book.id());
			return book;
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public void store(Book book) {
		}

		@WriteThrough(cache = "books", key = "#id", value = "#title")
		public void rename(long id, String title) {
		}

		@WriteThrough(cache = "books", key = "#book.id", condition = "#result.title != 'draft'")
		public Book saveUnlessDraft(Book book) {
			return book;
		}

		@WriteThrough(cache = "books", key = "#result.id")
		public Book create(String title) {
			return new Book(5L, title);
		}

		@WriteThrough(cache = "books", key = "#book.id")
		public Book saveFailing(Book book) {
			throw this.failure;
		}

		@WriteAround(cache = "books", key = "#id")
		public void update(long id) {
			see(id);
		}

		@CacheInvalidate(cache = "books", key = "#id")
		public void delete(long id) {
			see(id);
		}

		@CacheInvalidate(cache = "books", allEntries = true)
		public void deleteAll() {
		}

		@CacheInvalidate(cache = "books", key = "#id", beforeInvocation = true)
		public void deleteFirst(long id) {
			see(id);
			throw this.failure;
		}

		@CacheInvalidate(cache = "books", key = "#id")
		public void deleteFailing(long id) {
			throw this.failure;
		}

	}

}
