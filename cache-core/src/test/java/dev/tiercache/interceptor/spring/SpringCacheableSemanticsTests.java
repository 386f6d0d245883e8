package dev.tiercache.interceptor.spring;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.LoggingCacheErrorHandler;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.interceptor.SimpleCacheErrorHandler;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import dev.tiercache.interceptor.SpringCacheFastPath;
import dev.tiercache.interceptor.SpringCacheInterceptor;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Issue 19: Spring's {@code @Cacheable} semantics, as Spring's own interceptor tests state them, hold on
 * Tiercache's manager both through {@link SpringCacheInterceptor}'s fast path and through Spring's
 * interceptor (with {@link SpringCacheFastPath} left out), in every {@link CacheMode}, on a real Redis:
 * hits, {@code null} results, {@code condition}, {@code unless} on an unwrapped {@code Optional},
 * {@code key} SpEL over the root object, parameters and beans, {@code keyGenerator}, {@code sync}, a
 * {@code null} key, exceptions, the {@code CacheErrorHandler}, and a {@code cacheManager} attribute
 * naming another manager. The fast path is shown taken by the loads it counts, which Spring's
 * non-{@code sync} path (a get, then a put) does not.
 */
class SpringCacheableSemanticsTests {

	private AnnotationConfigApplicationContext context;

	static Stream<Arguments> paths() {
		return SpringCachingContext.paths();
	}

	static Stream<Arguments> redisPaths() {
		return SpringCachingContext.redisPaths();
	}

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	private Library start(boolean fast, CacheMode mode, CacheErrorHandler errorHandler) {
		return start(fast, mode, errorHandler, true);
	}

	private Library start(boolean fast, CacheMode mode, CacheErrorHandler errorHandler, boolean allowNullValues) {
		SpringCachingContext spring = new SpringCachingContext(fast, mode);
		this.context = spring.cache("books", spring.settings().withAllowNullValues(allowNullValues))
			.errorHandler(errorHandler)
			.primary(false)
			.bean("otherManager", ConcurrentMapCacheManager.class)
			.bean("library", Library.class)
			.bean("custom", KeyGenerator.class, () -> (target, method, params) -> "custom-" + params[0])
			.bean("keys", Keys.class)
			.start();
		return this.context.getBean(Library.class);
	}

	private TieredCache books() {
		return this.context.getBean(TieredCacheManager.class).getTieredCache("books");
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aHitIsAnsweredFromTheCacheAndANullResultIsCached(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		assertThat(library.find(1)).isEqualTo(new Book(1, "title 1"));
		assertThat(library.find(1)).isEqualTo(new Book(1, "title 1"));
		assertThat(library.find(0)).isNull();
		assertThat(library.find(0)).isNull();
		assertThat(library.calls("find")).isEqualTo(2);
		assertThat(books().get(1L, Book.class)).isEqualTo(new Book(1, "title 1"));
		assertThat(books().stats().loads()).as("loads counted (the fast path loads; Spring gets, then puts)")
			.isEqualTo(fast ? 2 : 0);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aFailingConditionRunsTheMethodEveryTimeAndCachesNothing(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		library.conditional(3);
		library.conditional(3);
		library.conditional(30);
		library.conditional(30);
		assertThat(library.calls("conditional")).isEqualTo(3);
		assertThat(books().get(3L)).isNull();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void unlessSeesTheOptionalUnwrappedAndKeepsItsResultOutOfTheCache(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		assertThat(library.maybe(1)).contains(new Book(1, "title 1"));
		assertThat(library.maybe(1)).contains(new Book(1, "title 1"));
		assertThat(library.maybe(2)).contains(new Book(2, "skip"));
		assertThat(library.maybe(2)).contains(new Book(2, "skip"));
		assertThat(library.maybe(0)).isEmpty();
		assertThat(library.maybe(0)).isEmpty();
		assertThat(library.calls("maybe")).as("runs: 1 once, 2 and 0 each time").isEqualTo(5);
		assertThat(books().get(1L, Book.class)).isEqualTo(new Book(1, "title 1"));
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void keysComeFromSpelOverTheRootObjectParametersAndBeansOrFromAKeyGenerator(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		library.rooted(5);
		library.fromBean(5);
		library.generated(5);
		library.synced(5);
		assertThat(books().get("rooted:Library:5", String.class)).isEqualTo("rooted 5");
		assertThat(books().get("bean-5", String.class)).isEqualTo("fromBean 5");
		assertThat(books().get("custom-5", String.class)).isEqualTo("generated 5");
		assertThat(books().get(5L, String.class)).isEqualTo("synced 5");
		library.rooted(5);
		library.fromBean(5);
		library.generated(5);
		library.synced(5);
		assertThat(library.calls("rooted") + library.calls("fromBean") + library.calls("generated")
				+ library.calls("synced")).isEqualTo(4);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aNullKeyIsRefusedWithSpringsMessage(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		assertThatIllegalArgumentException().isThrownBy(() -> library.nullKey(1))
			.withMessageContaining("Null key returned for cache operation");
		assertThat(library.calls("nullKey")).isZero();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void whatTheMethodThrowsReachesTheCallerUnchangedAndNothingIsCached(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> library.failing(1))
			.isExactlyInstanceOf(Exception.class).withMessage("checked 1");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> library.failingSynced(1))
			.withMessage("unchecked 1");
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> library.failing(1)).withMessage("checked 1");
		assertThat(library.calls("failing")).isEqualTo(2);
		assertThat(books().get(1L)).isNull();
	}

	/** A key the cache refuses (it cannot name it in Redis) is a cache failure, which the handler decides on. */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("redisPaths")
	void aCacheFailureGoesToTheErrorHandler(boolean fast, CacheMode mode) {
		Object unnameable = new Object();
		Library strict = start(fast, mode, new SimpleCacheErrorHandler());
		assertThatIllegalArgumentException().isThrownBy(() -> strict.anyKey(unnameable));
		assertThat(strict.calls("anyKey")).isZero();
		close();
		Library lenient = start(fast, mode, new LoggingCacheErrorHandler());
		assertThat(lenient.anyKey(unnameable)).isEqualTo("anyKey");
		assertThat(lenient.anyKey(unnameable)).isEqualTo("anyKey");
		assertThat(lenient.calls("anyKey")).isEqualTo(2);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aCacheManagerAttributeNamingAnotherManagerCachesThere(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		library.elsewhere(7);
		library.elsewhere(7);
		assertThat(library.calls("elsewhere")).isEqualTo(1);
		assertThat(this.context.getBean(ConcurrentMapCacheManager.class).getCache("books").get(7L))
			.extracting((wrapper) -> wrapper.get()).isEqualTo("elsewhere 7");
		assertThat(books().get(7L)).isNull();
	}

	/** Spring spreads a varargs array into the arguments its key generator and SpEL see. */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void varargsAreSpreadAsSpringSpreadsThem(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		library.spread("dune");
		library.spread("dune", "emma");
		assertThat(books().get("dune", String.class)).isEqualTo("spread [dune]");
		assertThat(books().get(new SimpleKey("dune", "emma"), String.class)).isEqualTo("spread [dune, emma]");
	}

	/** Spring refuses {@code sync} with {@code unless} when the method is called. */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void syncWithUnlessIsRefusedAsSpringRefusesIt(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler());
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> library.syncUnless(1))
			.withMessageContaining("unless");
	}

	/** A cache that refuses nulls fails a method's null result as Spring's put of it fails. */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aNullResultOnACacheThatRefusesNullsFailsAsSpringsPutDoes(boolean fast, CacheMode mode) {
		Library library = start(fast, mode, new SimpleCacheErrorHandler(), false);
		assertThatIllegalArgumentException().isThrownBy(() -> library.find(0))
			.withMessageContaining("is configured to not allow null values");
		assertThatIllegalArgumentException().isThrownBy(() -> library.synced(-1))
			.withMessageContaining("is configured to not allow null values");
		assertThat(library.find(1)).isEqualTo(new Book(1, "title 1"));
		assertThat(library.nullUnlessNull(1001)).as("a null that unless keeps out of the cache").isNull();
		assertThat(library.nullUnlessNull(1001)).isNull();
		assertThat(library.calls("nullUnlessNull")).isEqualTo(2);
	}

	record Book(long id, String title) {
	}

	public static class Keys {

		public String of(long id) {
			return "bean-" + id;
		}

	}

	/** Counts its runs per method. */
	public static class Library {

		private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

		int calls(String method) {
			AtomicInteger count = this.calls.get(method);
			return (count != null) ? count.get() : 0;
		}

		private void ran(String method) {
			this.calls.computeIfAbsent(method, (name) -> new AtomicInteger()).incrementAndGet();
		}

		@Cacheable("books")
		public Book find(long id) {
			ran("find");
			return (id == 0) ? null : new Book(id, "title " + id);
		}

		@Cacheable(cacheNames = "books", condition = "#id > 10")
		public String conditional(long id) {
			ran("conditional");
			return "conditional " + id;
		}

		@Cacheable(cacheNames = "books", unless = "#result == null || #result.title == 'skip'")
		public Optional<Book> maybe(long id) {
			ran("maybe");
			return (id == 0) ? Optional.empty() : Optional.of(new Book(id, (id == 2) ? "skip" : "title " + id));
		}

		@Cacheable(cacheNames = "books", key = "#root.methodName + ':' + #root.targetClass.simpleName + ':' + #p0")
		public String rooted(long id) {
			ran("rooted");
			return "rooted " + id;
		}

		@Cacheable(cacheNames = "books", key = "@keys.of(#id)")
		public String fromBean(long id) {
			ran("fromBean");
			return "fromBean " + id;
		}

		@Cacheable(cacheNames = "books", keyGenerator = "custom")
		public String generated(long id) {
			ran("generated");
			return "generated " + id;
		}

		@Cacheable(cacheNames = "books", sync = true)
		public String synced(long id) {
			ran("synced");
			return (id < 0) ? null : "synced " + id;
		}

		@Cacheable(cacheNames = "books", unless = "#result == null")
		public String nullUnlessNull(long id) {
			ran("nullUnlessNull");
			return null;
		}

		@Cacheable("books")
		public String spread(String... ids) {
			ran("spread");
			return "spread " + Arrays.toString(ids);
		}

		@Cacheable(cacheNames = "books", sync = true, unless = "#result == null")
		public String syncUnless(long id) {
			ran("syncUnless");
			return "syncUnless " + id;
		}

		@Cacheable(cacheNames = "books", key = "#undefined")
		public String nullKey(long id) {
			ran("nullKey");
			return "nullKey " + id;
		}

		@Cacheable("books")
		public String failing(long id) throws Exception {
			ran("failing");
			throw new Exception("checked " + id);
		}

		@Cacheable(cacheNames = "books", sync = true)
		public String failingSynced(long id) {
			ran("failingSynced");
			throw new IllegalStateException("unchecked " + id);
		}

		@Cacheable("books")
		public String anyKey(Object key) {
			ran("anyKey");
			return "anyKey";
		}

		@Cacheable(cacheNames = "books", cacheManager = "otherManager")
		public String elsewhere(long id) {
			ran("elsewhere");
			return "elsewhere " + id;
		}

	}

}
