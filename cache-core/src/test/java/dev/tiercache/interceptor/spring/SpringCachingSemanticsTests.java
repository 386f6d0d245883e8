package dev.tiercache.interceptor.spring;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.cache.Cache;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.cache.config.CacheManagementConfigUtils;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.test.util.AopTestUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.interceptor.SpringCacheInterceptor;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Issue 19: methods with several of Spring's cache operations ({@code @Caching}, {@code @Cacheable} beside
 * {@code @CachePut}) or one operation over several caches keep the semantics of Spring's interceptor,
 * as Spring's own tests state them ({@code CachePutEvaluationTests}, {@code CacheAspectSupport}'s order),
 * through Tiercache's fast path ({@code SpringCachingOperation}) and through Spring's interceptor, in
 * every {@link CacheMode}, on a real Redis: evictions before the read, reads of several caches in their
 * order, a put that forces the method to run on a hit, a put keyed by the result, evictions after the
 * invocation on a hit, {@code unless} per operation, conditions evaluated once per call, the
 * {@code Optional} wrapped again, what the method throws, the {@link CacheErrorHandler}, and
 * {@code sync} beside other operations and an {@code Optional} of an {@code Optional} refused as Spring
 * refuses them. With the fast path in place, each of these methods is shown to take it, except those two.
 */
class SpringCachingSemanticsTests {

	/** So that a loaded machine does not time a Redis call out, which would serve a read from the loader. */
	private static final Duration GENEROUS = Duration.ofSeconds(5);

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

	private Shelf start(boolean fast, CacheMode mode) {
		return start(fast, mode, new RecordingErrorHandler());
	}

	private Shelf start(boolean fast, CacheMode mode, CacheErrorHandler errorHandler) {
		this.context = new SpringCachingContext(fast, mode).cache("books")
			.cache("first")
			.cache("second")
			.manager((manager) -> manager.redisTimeout(GENEROUS).redisBreaker(null))
			.errorHandler(errorHandler)
			.bean("shelf", Shelf.class)
			.bean("conditions", Conditions.class)
			.start();
		return this.context.getBean(Shelf.class);
	}

	private Cache cache(String name) {
		return this.context.getBean(TieredCacheManager.class).getCache(name);
	}

	/** Checks which interceptor runs the method: with the fast path in place, the fast path unless refused. */
	private void assertPath(boolean fast, Shelf shelf, String methodName, boolean takesTheFastPath) {
		Object advice = this.context.getBean(CacheManagementConfigUtils.CACHE_ADVISOR_BEAN_NAME,
				AbstractBeanFactoryPointcutAdvisor.class).getAdvice();
		if (!fast) {
			assertThat(advice).isExactlyInstanceOf(CacheInterceptor.class);
			return;
		}
		Method method = Stream.of(Shelf.class.getMethods())
			.filter((candidate) -> candidate.getName().equals(methodName))
			.findFirst()
			.orElseThrow();
		Object target = AopTestUtils.getUltimateTargetObject(shelf);
		assertThat(((SpringCacheInterceptor) advice).takesTheFastPath(method, target)).as(methodName)
			.isEqualTo(takesTheFastPath);
	}

	/** Spring's {@code CachePutEvaluationTests#mutualGetPutExclusion}: a flag picks the read or the put. */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aConditionPicksTheReadOrThePut(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		Long first = shelf.getOrPut("1", true);
		assertThat(shelf.getOrPut("1", true)).isEqualTo(first);
		Long third = shelf.getOrPut("1", false);
		assertThat(third).as("the put runs the method").isEqualTo(first + 1);
		assertThat(shelf.getOrPut("1", true)).as("and the read sees what it put").isEqualTo(third);
		assertThat(shelf.calls("getOrPut")).isEqualTo(2);
		assertPath(fast, shelf, "getOrPut", true);
	}

	/**
	 * Spring's {@code CachePutEvaluationTests#getAndPut}: a put whose condition reads {@code #result}
	 * runs the method on every call, hit or not, and the hit's key is not updated.
	 */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aPutThatNeedsTheResultRunsTheMethodOnAHitAndLeavesTheReadKey(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		Long value = shelf.getAndPut(1);
		assertThat(cache("books").get(1L, Long.class)).isEqualTo(value);
		assertThat(cache("books").get(value + 100, Long.class)).isEqualTo(value);
		Long another = shelf.getAndPut(1);
		assertThat(another).isEqualTo(value + 1);
		assertThat(cache("books").get(1L, Long.class)).as("a hit puts nothing for @Cacheable").isEqualTo(value);
		assertThat(cache("books").get(another + 100, Long.class)).isEqualTo(another);
		assertPath(fast, shelf, "getAndPut", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aReadOfTwoCachesAnswersFromTheFirstThatHoldsTheKeyAndAMissFillsBoth(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		cache("second").put(1L, "from second");
		assertThat(shelf.twoCaches(1)).isEqualTo("from second");
		cache("first").put(1L, "from first");
		assertThat(shelf.twoCaches(1)).isEqualTo("from first");
		assertThat(shelf.calls("twoCaches")).isZero();
		assertThat(shelf.twoCaches(2)).isEqualTo("loaded 2");
		assertThat(cache("first").get(2L, String.class)).isEqualTo("loaded 2");
		assertThat(cache("second").get(2L, String.class)).isEqualTo("loaded 2");
		assertThat(shelf.calls("twoCaches")).isOne();
		assertPath(fast, shelf, "twoCaches", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void anEvictionBeforeTheInvocationComesBeforeTheRead(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThat(shelf.evictThenRead(1)).isEqualTo(1);
		assertThat(shelf.evictThenRead(1)).isEqualTo(2);
		assertThat(cache("books").get(1L, Long.class)).isEqualTo(2);
		assertPath(fast, shelf, "evictThenRead", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void anEvictionAfterTheInvocationRunsOnAHitTooSeeingTheResult(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThat(shelf.readThenEvict(1)).isEqualTo("title 1");
		cache("second").put("title 1", "stale");
		cache("second").put(1L, "kept");
		assertThat(shelf.readThenEvict(1)).isEqualTo("title 1");
		assertThat(shelf.calls("readThenEvict")).isOne();
		assertThat(cache("second").get("title 1")).as("evicted by the hit's result").isNull();
		assertThat(cache("second").get(1L, String.class)).isEqualTo("kept");
		assertPath(fast, shelf, "readThenEvict", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void unlessAppliesToItsOwnOperation(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThat(shelf.unlessOnFirst(7)).isEqualTo(7);
		assertThat(cache("first").get(7L)).isNull();
		assertThat(cache("second").get(7L, Long.class)).isEqualTo(7);
		assertThat(shelf.unlessOnFirst(3)).isEqualTo(3);
		assertThat(cache("first").get(3L, Long.class)).isEqualTo(3);
		assertThat(shelf.unlessOnFirst(7)).as("a hit in the second cache").isEqualTo(7);
		assertThat(shelf.calls("unlessOnFirst")).isEqualTo(2);
		assertPath(fast, shelf, "unlessOnFirst", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void eachConditionIsEvaluatedOncePerCall(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		Conditions conditions = this.context.getBean(Conditions.class);
		shelf.countedConditions(1);
		assertThat(conditions.evaluations("read")).as("a miss").isOne();
		assertThat(conditions.evaluations("put")).isOne();
		shelf.countedConditions(1);
		assertThat(conditions.evaluations("read")).as("a hit").isEqualTo(2);
		assertThat(conditions.evaluations("put")).isEqualTo(2);
		assertThat(shelf.calls("countedConditions")).as("the put runs the method on the hit").isEqualTo(2);
		assertPath(fast, shelf, "countedConditions", true);
	}

	/**
	 * A put condition that reads {@code #result} is evaluated twice per call that hits, as in Spring: once
	 * before the method runs (failing at {@code #result}) and once after. Compiled expressions that fail are dropped
	 * and evaluated again interpreted, so compiling the first evaluation would run the part before
	 * {@code #result} twice, every call once SpEL compiled it (after 100 evaluations), and compile again.
	 * Written {@code # result}, which SpEL reads as {@code #result} too.
	 */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aPutConditionThatReadsTheResultIsEvaluatedTwicePerCallHoweverOftenItRuns(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		Audit.EVALUATIONS.set(0);
		for (int i = 0; i < 300; i++) {
			shelf.audited(1);
		}
		assertThat(Audit.EVALUATIONS).as("the first call misses: once; each hit: twice").hasValue(1 + 2 * 299);
		assertThat(shelf.calls("audited")).as("the put runs the method on every hit").isEqualTo(300);
		assertPath(fast, shelf, "audited", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void anOptionalIsUnwrappedToCacheAndWrappedAgainOnAHit(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThat(shelf.maybe(1)).contains("title 1");
		assertThat(shelf.maybe(1)).contains("title 1");
		assertThat(shelf.maybe(0)).isEmpty();
		assertThat(shelf.maybe(0)).isEmpty();
		assertThat(shelf.calls("maybe")).isEqualTo(2);
		assertThat(cache("first").get(1L, String.class)).isEqualTo("title 1");
		assertThat(cache("second").get(0L)).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
		assertPath(fast, shelf, "maybe", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void whatTheMethodThrowsReachesTheCallerAfterTheEarlyEvictionOnly(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		cache("first").put(1L, "early");
		cache("second").put(1L, "late");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> shelf.failing(1))
			.withMessage("failing 1");
		assertThat(cache("first").get(1L)).isNull();
		assertThat(cache("second").get(1L, String.class)).isEqualTo("late");
		assertThat(cache("books").get(1L)).isNull();
		assertPath(fast, shelf, "failing", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aVoidMethodEvictsFromEveryCacheItNames(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		cache("first").put(1L, "one");
		cache("second").put(1L, "one");
		cache("books").put(2L, "two");
		shelf.evictEverywhere(1);
		assertThat(cache("first").get(1L)).isNull();
		assertThat(cache("second").get(1L)).isNull();
		assertThat(cache("books").get(2L)).as("all entries").isNull();
		assertPath(fast, shelf, "evictEverywhere", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("redisPaths")
	void aKeyTheCacheCannotNameGoesToTheErrorHandlerAndTheMethodRuns(boolean fast, CacheMode mode) {
		RecordingErrorHandler errors = new RecordingErrorHandler();
		Shelf shelf = start(fast, mode, errors);
		Object key = new Object();
		assertThat(shelf.anyKey(key)).isEqualTo("anyKey");
		assertThat(shelf.anyKey(key)).isEqualTo("anyKey");
		assertThat(shelf.calls("anyKey")).isEqualTo(2);
		assertThat(errors.gets).as("each read of each cache").hasValue(4);
		assertThat(errors.puts).as("each put to each cache").hasValue(4);
		assertPath(fast, shelf, "anyKey", true);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void syncBesideAnotherOperationIsRefusedAsSpringRefusesIt(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> shelf.syncAndEvict(1))
			.withMessageContaining("sync=true");
		assertPath(fast, shelf, "syncAndEvict", false);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void anOptionalOfAnOptionalIsRefusedAsSpringRefusesIt(boolean fast, CacheMode mode) {
		Shelf shelf = start(fast, mode);
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> shelf.nested(1))
			.withMessageContaining("Multi-level Optional usage not supported");
		assertPath(fast, shelf, "nested", false);
	}

	/**
	 * A method declared to return {@code Optional<Object>} that returns an {@code Optional} of an
	 * {@code Optional}: Spring refuses the result at run time whatever the operation, on every call, and
	 * caches nothing; so does the fast path, which takes such methods.
	 */
	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void anOptionalOfAnOptionalReturnedAtRunTimeIsRefusedByEveryOperation(boolean fast, CacheMode mode)
			throws NoSuchMethodException {
		Shelf shelf = start(fast, mode);
		for (String method : List.of("nestedCacheable", "nestedCaching", "nestedPut", "nestedEvict")) {
			Method nested = Shelf.class.getMethod(method, long.class);
			for (int call = 0; call < 2; call++) {
				assertThatExceptionOfType(IllegalArgumentException.class).as(method)
					.isThrownBy(() -> ReflectionUtils.invokeMethod(nested, shelf, 1L))
					.withMessageContaining("Multi-level Optional usage not supported");
			}
			assertThat(shelf.calls(method)).as(method + " ran on every call").isEqualTo(2);
			assertPath(fast, shelf, method, true);
		}
		assertThat(cache("books").get(1L)).as("nothing cached").isNull();
		assertThat(cache("first").get(1L)).as("nothing cached").isNull();
	}

	/** Counts the failures it is told of, and lets every call go on. */
	static class RecordingErrorHandler implements CacheErrorHandler {

		final AtomicInteger gets = new AtomicInteger();

		final AtomicInteger puts = new AtomicInteger();

		@Override
		public void handleCacheGetError(RuntimeException exception, Cache cache, Object key) {
			this.gets.incrementAndGet();
		}

		@Override
		public void handleCachePutError(RuntimeException exception, Cache cache, Object key, Object value) {
			this.puts.incrementAndGet();
		}

		@Override
		public void handleCacheEvictError(RuntimeException exception, Cache cache, Object key) {
			ReflectionUtils.rethrowRuntimeException(exception);
		}

		@Override
		public void handleCacheClearError(RuntimeException exception, Cache cache) {
			ReflectionUtils.rethrowRuntimeException(exception);
		}

	}

	/** Conditions that count their evaluations, for {@code @conditions.read()}. */
	public static class Conditions {

		private final Map<String, AtomicInteger> evaluations = new ConcurrentHashMap<>();

		int evaluations(String condition) {
			AtomicInteger count = this.evaluations.get(condition);
			return (count != null) ? count.get() : 0;
		}

		public boolean read() {
			return count("read");
		}

		public boolean put() {
			return count("put");
		}

		private boolean count(String condition) {
			this.evaluations.computeIfAbsent(condition, (name) -> new AtomicInteger()).incrementAndGet();
			return true;
		}

	}

	/** A condition SpEL can compile ({@code T(…).allow()}), counting its evaluations. */
	public static final class Audit {

		static final AtomicInteger EVALUATIONS = new AtomicInteger();

		private Audit() {
		}

		public static boolean allow() {
			EVALUATIONS.incrementAndGet();
			return true;
		}

	}

	/** Counts its runs per method. */
	public static class Shelf {

		private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

		private final AtomicLong counter = new AtomicLong();

		int calls(String method) {
			AtomicInteger count = this.calls.get(method);
			return (count != null) ? count.get() : 0;
		}

		private void ran(String method) {
			this.calls.computeIfAbsent(method, (name) -> new AtomicInteger()).incrementAndGet();
		}

		@Cacheable(cacheNames = "books", condition = "#p1", key = "#p0")
		@CachePut(cacheNames = "books", condition = "!#p1", key = "#p0")
		public Long getOrPut(String id, boolean read) {
			ran("getOrPut");
			return this.counter.getAndIncrement();
		}

		@Cacheable("books")
		@CachePut(cacheNames = "books", key = "#result + 100", condition = "#result != null")
		public Long getAndPut(long id) {
			ran("getAndPut");
			return this.counter.getAndIncrement();
		}

		@Cacheable({ "first", "second" })
		public String twoCaches(long id) {
			ran("twoCaches");
			return "loaded " + id;
		}

		@Caching(evict = @CacheEvict(cacheNames = "books", beforeInvocation = true),
				cacheable = @Cacheable("books"))
		public Long evictThenRead(long id) {
			ran("evictThenRead");
			return this.counter.incrementAndGet();
		}

		@Caching(cacheable = @Cacheable("first"), evict = @CacheEvict(cacheNames = "second", key = "#result"))
		public String readThenEvict(long id) {
			ran("readThenEvict");
			return "title " + id;
		}

		@Caching(cacheable = { @Cacheable(cacheNames = "first", unless = "#result > 5"), @Cacheable("second") })
		public Long unlessOnFirst(long id) {
			ran("unlessOnFirst");
			return id;
		}

		@Cacheable(cacheNames = "books", condition = "@conditions.read()")
		@CachePut(cacheNames = "first", condition = "@conditions.put()")
		public String countedConditions(long id) {
			ran("countedConditions");
			return "counted " + id;
		}

		@Cacheable("books")
		@CachePut(cacheNames = "first",
				condition = "T(dev.tiercache.interceptor.spring.SpringCachingSemanticsTests$Audit).allow()"
						+ " and # result != null")
		public Long audited(long id) {
			ran("audited");
			return id;
		}

		@Caching(cacheable = { @Cacheable("first"), @Cacheable("second") })
		public Optional<String> maybe(long id) {
			ran("maybe");
			return (id == 0) ? Optional.empty() : Optional.of("title " + id);
		}

		@Caching(evict = { @CacheEvict(cacheNames = "first", beforeInvocation = true), @CacheEvict("second") },
				put = @CachePut("books"))
		public String failing(long id) {
			ran("failing");
			throw new IllegalStateException("failing " + id);
		}

		@Caching(evict = { @CacheEvict({ "first", "second" }), @CacheEvict(cacheNames = "books", allEntries = true) })
		public void evictEverywhere(long id) {
			ran("evictEverywhere");
		}

		@Cacheable({ "first", "second" })
		public String anyKey(Object key) {
			ran("anyKey");
			return "anyKey";
		}

		@Cacheable("books")
		public Optional<Optional<String>> nested(long id) {
			ran("nested");
			return Optional.of(Optional.of("nested " + id));
		}

		@Cacheable("books")
		public Optional<Object> nestedCacheable(long id) {
			return optionalOfAnOptional("nestedCacheable", id);
		}

		@Caching(cacheable = @Cacheable("first"), evict = @CacheEvict("second"))
		public Optional<Object> nestedCaching(long id) {
			return optionalOfAnOptional("nestedCaching", id);
		}

		@CachePut("books")
		public Optional<Object> nestedPut(long id) {
			return optionalOfAnOptional("nestedPut", id);
		}

		@CacheEvict("books")
		public Optional<Object> nestedEvict(long id) {
			return optionalOfAnOptional("nestedEvict", id);
		}

		private Optional<Object> optionalOfAnOptional(String method, long id) {
			ran(method);
			return Optional.of(Optional.of("nested " + id));
		}

		@Caching(cacheable = @Cacheable(cacheNames = "books", sync = true), evict = @CacheEvict("first"))
		public String syncAndEvict(long id) {
			ran("syncAndEvict");
			return "syncAndEvict " + id;
		}

	}

}
