package dev.tiercache.interceptor;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.cache.Cache;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code @CacheAside} end to end: a bean proxied with Spring's {@link ProxyFactory} and
 * {@link TiercacheAdvisor}, on a local cache. The method runs once per key and its result, {@code null}
 * included, answers later calls; what the method throws reaches the caller unchanged and is not
 * cached; {@code condition} and {@code unless} leave calls and results out; {@code Optional} results
 * are cached unwrapped; unannotated methods are not intercepted.
 */
class TiercacheInterceptorTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCacheManager manager = this.managers.local("books");

	private final TieredCache cache = this.manager.getTieredCache("books");

	private final TiercacheAdvisor advisor = new TiercacheAdvisor(new TiercacheOperationSource(() -> this.manager, null));

	private final Library target = new Library();

	private final Library library = proxy(this.target);

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void theMethodRunsOnceAndLaterCallsAreAnsweredFromTheCache() {
		assertThat(this.library.title(1)).isEqualTo("title 1");
		assertThat(this.library.title(1)).isEqualTo("title 1");
		assertThat(this.target.calls).hasValue(1);
		assertThat(this.cache.stats().loads()).isEqualTo(1);
		assertThat(this.cache.stats().localHits()).isEqualTo(1);
		assertThat(this.cache.get(1L, String.class)).isEqualTo("title 1");
	}

	@Test
	void eachKeyIsLoadedOnItsOwn() {
		this.library.title(1);
		this.library.title(2);
		this.library.title(1);
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.get(2L, String.class)).isEqualTo("title 2");
	}

	@Test
	void aNullResultIsCachedAndTheMethodNotCalledAgain() {
		assertThat(this.library.missing(1)).isNull();
		assertThat(this.library.missing(1)).isNull();
		assertThat(this.target.calls).hasValue(1);
		Cache.ValueWrapper cached = this.cache.get("missing:1");
		assertThat(cached).isNotNull();
		assertThat(cached.get()).isNull();
	}

	@Test
	void aCheckedExceptionFromTheMethodReachesTheCallerUnchanged() {
		assertThat(catchThrowable(() -> this.library.failing(1))).isSameAs(this.target.checkedFailure);
	}

	@Test
	void anUncheckedExceptionFromTheMethodReachesTheCallerUnchanged() {
		assertThat(catchThrowable(() -> this.library.crashing(1))).isSameAs(this.target.uncheckedFailure);
	}

	@Test
	void aCallThatFailedCachesNothingSoTheNextCallRunsTheMethodAgain() {
		catchThrowable(() -> this.library.failing(1));
		catchThrowable(() -> this.library.failing(1));
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.get("failing:1")).isNull();
		assertThat(this.cache.stats().loadFailures()).isEqualTo(2);
	}

	@Test
	void anOptionalResultIsCachedUnwrappedAndReturnedWrapped() {
		assertThat(this.library.maybe(1)).contains("maybe 1");
		assertThat(this.library.maybe(1)).contains("maybe 1");
		assertThat(this.library.maybe(0)).isEmpty();
		assertThat(this.library.maybe(0)).isEmpty();
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.get("maybe:1", String.class)).isEqualTo("maybe 1");
		assertThat(this.cache.get("maybe:0")).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
	}

	@Test
	void aCallWhoseConditionIsFalseRunsTheMethodAndCachesNothing() {
		this.library.onlyPositive(-1);
		this.library.onlyPositive(-1);
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.get("positive:-1")).isNull();
		this.library.onlyPositive(1);
		this.library.onlyPositive(1);
		assertThat(this.target.calls).hasValue(3);
	}

	@Test
	void aResultThatUnlessRejectsIsReturnedButNotCached() {
		assertThat(this.library.published(1)).isEqualTo("draft 1");
		assertThat(this.library.published(1)).isEqualTo("draft 1");
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.get("published:1")).isNull();
	}

	@Test
	void aKeyThatIsNullFailsTheCallWithoutRunningTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> this.library.byTitle(null))
			.withMessageContaining("Key expression '#title' of @CacheAside on ")
			.withMessageContaining("Library.byTitle(java.lang.String)");
		assertThat(this.target.calls).hasValue(0);
	}

	@Test
	void anUnannotatedMethodIsNotIntercepted() {
		assertThat(this.advisor.getPointcut().getMethodMatcher()
			.matches(ReflectionUtils.findMethod(Library.class, "plain", long.class), Library.class)).isFalse();
		this.library.plain(1);
		this.library.plain(1);
		assertThat(this.target.calls).hasValue(2);
		assertThat(this.cache.localSize()).isZero();
	}

	private Library proxy(Library target) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvisor(this.advisor);
		return (Library) factory.getProxy();
	}

	public static class Library {

		final AtomicInteger calls = new AtomicInteger();

		final IOException checkedFailure = new IOException("disk gone");

		final IllegalStateException uncheckedFailure = new IllegalStateException("database gone");

		@CacheAside(cache = "books")
		public String title(long id) {
			this.calls.incrementAndGet();
			return "title " + id;
		}

		@CacheAside(cache = "books", key = "'missing:' + #id")
		public @Nullable String missing(long id) {
			this.calls.incrementAndGet();
			return null;
		}

		@CacheAside(cache = "books", key = "'failing:' + #id")
		public String failing(long id) throws IOException {
			this.calls.incrementAndGet();
			throw this.checkedFailure;
		}

		@CacheAside(cache = "books", key = "'crashing:' + #id")
		public String crashing(long id) {
			this.calls.incrementAndGet();
			throw this.uncheckedFailure;
		}

		@CacheAside(cache = "books", key = "'maybe:' + #id")
		public Optional<String> maybe(long id) {
			this.calls.incrementAndGet();
			return (id > 0) ? Optional.of("maybe " + id) : Optional.empty();
		}

		@CacheAside(cache = "books", key = "'positive:' + #id", condition = "#id > 0")
		public String onlyPositive(long id) {
			this.calls.incrementAndGet();
			return "positive " + id;
		}

		@CacheAside(cache = "books", key = "'published:' + #id", unless = "#result.startsWith('draft')")
		public String published(long id) {
			this.calls.incrementAndGet();
			return "draft " + id;
		}

		@CacheAside(cache = "books", key = "#title")
		public String byTitle(@Nullable String title) {
			this.calls.incrementAndGet();
			return "by " + title;
		}

		public String plain(long id) {
			this.calls.incrementAndGet();
			return "plain " + id;
		}

	}

}
