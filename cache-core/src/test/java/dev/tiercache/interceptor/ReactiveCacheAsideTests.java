package dev.tiercache.interceptor;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.aop.framework.ProxyFactory;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Issue 20, item 7: {@code @CacheAside} on methods that return a {@code Mono}, the form in which Spring
 * AOP proceeds with a Kotlin {@code suspend} function. Nothing runs until the {@code Mono} is
 * subscribed; the method's {@code Mono} is loaded once per key (across instances, on Redis) and its value
 * answers later calls; an empty {@code Mono} caches {@code null}; a failed one reaches the subscriber
 * and caches nothing; {@code unless} sees the value.
 */
class ReactiveCacheAsideTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TestManagers managers = new TestManagers();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void theMonoIsLoadedOnceAndLaterCallsAreAnsweredFromL1() {
		TieredCacheManager manager = this.managers.local("books");
		Library target = new Library();
		Library library = proxy(manager, target);

		Mono<String> first = library.title(1);
		assertThat(target.calls).as("nothing runs before the Mono is subscribed").hasValue(0);
		assertThat(first.block(WAIT)).isEqualTo("title 1");
		assertThat(library.title(1).block(WAIT)).isEqualTo("title 1");

		assertThat(target.calls).hasValue(1);
		TieredCache cache = manager.getTieredCache("books");
		assertThat(cache.stats().loads()).isEqualTo(1);
		assertThat(cache.stats().localHits()).isEqualTo(1);
		assertThat(cache.get(1L, String.class)).as("the value is cached, not the Mono").isEqualTo("title 1");
	}

	@Test
	void anEmptyMonoCachesNullAndAFailedOneCachesNothing() {
		TieredCacheManager manager = this.managers.local("books");
		Library target = new Library();
		Library library = proxy(manager, target);

		assertThat(library.missing(1).block(WAIT)).isNull();
		assertThat(library.missing(1).block(WAIT)).isNull();
		assertThat(target.calls).as("the empty result answered the second call").hasValue(1);

		assertThat(catchThrowable(() -> library.failing(2).block(WAIT))).isSameAs(target.failure);
		assertThat(catchThrowable(() -> library.failing(2).block(WAIT))).isSameAs(target.failure);
		assertThat(target.calls).as("nothing cached for a failure").hasValue(3);
	}

	@Test
	void unlessSeesTheValueInsideTheMono() {
		TieredCacheManager manager = this.managers.local("books");
		Library target = new Library();
		Library library = proxy(manager, target);

		assertThat(library.draft(3).block(WAIT)).isEqualTo("draft 3");
		assertThat(library.draft(3).block(WAIT)).isEqualTo("draft 3");
		assertThat(target.calls).as("a draft is not cached").hasValue(2);
	}

	@Test
	void tagsSeeTheValueInsideTheMono() {
		TieredCacheManager manager = this.managers.local("books");
		Library target = new Library();
		Library library = proxy(manager, target);

		assertThat(library.shelved(4).block(WAIT)).isEqualTo("shelf 0: 4");
		assertThat(library.shelved(4).block(WAIT)).isEqualTo("shelf 0: 4");
		assertThat(target.calls).hasValue(1);
		manager.getTieredCache("books").invalidateTag("shelf 0");
		assertThat(library.shelved(4).block(WAIT)).isEqualTo("shelf 0: 4");
		assertThat(target.calls).as("dropped by its tag, from #result").hasValue(2);
	}

	@Test
	void eachSubscriptionReadsTheCacheAsItIsThen() {
		TieredCacheManager manager = this.managers.local("books");
		Library target = new Library();
		Library library = proxy(manager, target);
		assertThat(library.title(1).block(WAIT)).isEqualTo("title 1");

		Mono<String> assembled = library.title(1);
		manager.getTieredCache("books").evict(1L);

		assertThat(assembled.block(WAIT)).isEqualTo("title 1");
		assertThat(target.calls).as("read at subscription, after the evict: loaded again").hasValue(2);
	}

	@Test
	void theMethodRunsWithTheSubscribersContext() {
		Library library = proxy(this.managers.local("books"), new Library());

		assertThat(library.tenant(1).contextWrite(Context.of("tenant", "acme")).block(WAIT)).isEqualTo("acme");
	}

	@Test
	void aMethodThatReturnsNullInsteadOfAMonoFailsNamingIt() {
		Library library = proxy(this.managers.local("books"), new Library());

		assertThat(catchThrowable(() -> library.noMono(1).block(WAIT))).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("noMono").hasMessageContaining("where @CacheAside needs a Mono");
	}

	@Test
	void aSubscriberThatGivesUpCancelsTheMethodsMonoAndFreesTheThread() {
		Library target = new Library();
		Library library = proxy(this.managers.local("books"), target);

		assertThat(catchThrowable(() -> library.hung(1).timeout(Duration.ofMillis(200)).block(WAIT)))
			.hasCauseInstanceOf(TimeoutException.class);
		await("the method's Mono cancelled").atMost(WAIT).untilAtomic(target.cancelled, equalTo(1));
	}

	@Test
	void callersOnTwoInstancesLoadAKeyOnceAndTheSecondReadsItFromRedis() throws Exception {
		CacheSettings settings = CacheSettings.DEFAULTS;
		TieredCacheManager first = this.managers.redis(settings, "books");
		TieredCacheManager second = this.managers.redis(settings, "books");
		Library target = new Library();
		target.gate = new CountDownLatch(1);
		Library one = proxy(first, target);
		Library other = proxy(second, target);

		Mono<String> loading = one.title(7).cache();
		loading.subscribe();
		Mono<String> waiting = other.title(7).cache();
		waiting.subscribe();
		target.gate.countDown();

		assertThat(loading.block(WAIT)).isEqualTo("title 7");
		assertThat(waiting.block(WAIT)).isEqualTo("title 7");
		assertThat(target.calls).as("one load across both instances").hasValue(1);
		assertThat(other.title(7).block(WAIT)).isEqualTo("title 7");
		assertThat(target.calls).hasValue(1);
	}

	private static Library proxy(TieredCacheManager manager, Library target) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvisor(new TiercacheAdvisor(new TiercacheOperationSource(() -> manager, null)));
		return (Library) factory.getProxy();
	}

	public static class Library {

		final AtomicInteger calls = new AtomicInteger();

		final IllegalStateException failure = new IllegalStateException("database gone");

		volatile CountDownLatch gate = new CountDownLatch(0);

		@CacheAside(cache = "books")
		public Mono<String> title(long id) {
			return Mono.fromCallable(() -> {
				this.calls.incrementAndGet();
				this.gate.await(10, TimeUnit.SECONDS);
				return "title " + id;
			});
		}

		@CacheAside(cache = "books", key = "'missing:' + #id")
		public Mono<String> missing(long id) {
			return Mono.defer(() -> {
				this.calls.incrementAndGet();
				return Mono.empty();
			});
		}

		@CacheAside(cache = "books", key = "'failing:' + #id")
		public Mono<String> failing(long id) {
			return Mono.defer(() -> {
				this.calls.incrementAndGet();
				return Mono.error(this.failure);
			});
		}

		final AtomicInteger cancelled = new AtomicInteger();

		@CacheAside(cache = "books", key = "'tenant:' + #id")
		public Mono<String> tenant(long id) {
			return Mono.deferContextual((context) -> Mono.just(context.getOrDefault("tenant", "none")));
		}

		@CacheAside(cache = "books", key = "'none:' + #id")
		@SuppressWarnings("NullAway")
		public Mono<String> noMono(long id) {
			return null;
		}

		@CacheAside(cache = "books", key = "'hung:' + #id")
		public Mono<String> hung(long id) {
			return Mono.<String>never().doOnCancel(this.cancelled::incrementAndGet);
		}

		@CacheAside(cache = "books", key = "'shelved:' + #id", tags = "#result.substring(0, #result.indexOf(':'))")
		public Mono<String> shelved(long id) {
			return Mono.fromCallable(() -> {
				this.calls.incrementAndGet();
				return "shelf " + (id % 4) + ": " + id;
			});
		}

		@CacheAside(cache = "books", key = "'draft:' + #id", unless = "#result.startsWith('draft')")
		public Mono<String> draft(long id) {
			return Mono.fromCallable(() -> {
				this.calls.incrementAndGet();
				return "draft " + id;
			});
		}

	}

}
