package dev.tiercache.interceptor.spring;

import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.cache.Cache;
import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Issue 19: every case of Spring's own cache annotation test fixtures ({@code AbstractCacheAnnotationTests}
 * in {@code spring-context}), in our own code, with Spring's {@code @EnableCaching} and only the cache
 * manager swapped for Tiercache's: {@code @Cacheable} (plain, {@code null}, {@code sync}, conditional,
 * {@code unless}, keys from SpEL, varargs, the root object and a custom generator, unknown generator and
 * manager beans, a {@code null} argument, checked and unchecked exceptions), {@code @CacheEvict} (by
 * key, all entries, before the invocation, with an exception), {@code @CachePut} (plain, conditional,
 * keyed by the result), and {@code @Caching} over two caches, on a bean annotated per method and on one
 * annotated at class level. Each runs through Tiercache's fast path and through Spring's interceptor,
 * in every {@link CacheMode}, on a real Redis.
 *
 * <p>Differences that a shared cache brings, which the README names: values are compared with
 * {@code equals}, since a value read from Redis is a copy (Spring's fixtures compare instances), and keys
 * are strings or numbers, since a key of no state ({@code new Object()}, as the fixtures use) cannot be
 * named in Redis.
 */
class SpringAnnotationContractTests {

	private AnnotationConfigApplicationContext context;

	static Stream<Arguments> paths() {
		return SpringCachingContext.paths();
	}

	@AfterEach
	void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	private void start(boolean fast, CacheMode mode) {
		this.context = new SpringCachingContext(fast, mode).cache("testCache")
			.cache("primary")
			.cache("secondary")
			.bean("customCacheManager", ConcurrentMapCacheManager.class,
					() -> new ConcurrentMapCacheManager("testCache"))
			.bean("customKeyGenerator", KeyGenerator.class,
					() -> (target, method, params) -> method.getName() + "#" + params[0])
			.bean("service", MethodAnnotatedService.class)
			.bean("classService", ClassAnnotatedService.class)
			.start();
	}

	private MethodService service() {
		return this.context.getBean("service", MethodService.class);
	}

	private Service classService() {
		return this.context.getBean("classService", Service.class);
	}

	private Cache cache(String name) {
		return this.context.getBean("cacheManager", TieredCacheManager.class).getCache(name);
	}

	private static String key() {
		return UUID.randomUUID().toString();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void cacheableReturnsTheFirstResultAgain(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			Object first = service.cache(key);
			assertThat(service.cache(key)).isEqualTo(first);
			assertThat(service.cache(key)).isEqualTo(first);
			assertThat(service.cache(key())).isNotEqualTo(first);
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void cacheableCachesNullPlainAndSync(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		String key = key();
		String syncKey = key();
		assertThat(cache("testCache").get(key)).isNull();
		for (int i = 0; i < 3; i++) {
			assertThat(service.cacheNull(key)).isNull();
			assertThat(service.cacheSyncNull(syncKey)).isNull();
		}
		assertThat(service.nullCalls()).isEqualTo(2);
		assertThat(cache("testCache").get(key)).as("cached null").isNotNull()
			.extracting(Cache.ValueWrapper::get).isNull();
		assertThat(cache("testCache").get(syncKey)).isNotNull().extracting(Cache.ValueWrapper::get).isNull();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void cacheableSyncReturnsTheFirstResultAgain(boolean fast, CacheMode mode) {
		start(fast, mode);
		String key = key();
		Object first = service().cacheSync(key);
		assertThat(service().cacheSync(key)).isEqualTo(first);
		assertThat(service().cacheSync(key)).isEqualTo(first);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void evictRemovesTheKeyAndTheNextCallRunsTheMethod(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			cache("testCache").putIfAbsent(key, -1L);
			Object first = service.cache(key);
			service.evict(key, null);
			assertThat(cache("testCache").get(key)).isNull();
			assertThat(service.cache(key)).isNotEqualTo(first);
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void evictBeforeTheInvocationHappensEvenWhenTheMethodThrows(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			Object first = service.cache(key);
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> service.evictEarly(key));
			assertThat(cache("testCache").get(key)).isNull();
			assertThat(service.cache(key)).isNotEqualTo(first);
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void evictAfterTheInvocationIsSkippedWhenTheMethodThrows(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			Object first = service.cache(key);
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> service.evictWithException(key));
			assertThat(service.cache(key)).isEqualTo(first);
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void evictAllEntriesAfterOrBeforeTheInvocation(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			for (boolean early : new boolean[] { false, true }) {
				String one = key();
				String two = key();
				Object first = service.cache(one);
				Object second = service.cache(two);
				if (early) {
					assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> service.evictAllEarly(key()));
				}
				else {
					service.evictAll(key());
				}
				assertThat(cache("testCache").get(one)).isNull();
				assertThat(cache("testCache").get(two)).isNull();
				assertThat(service.cache(one)).isNotEqualTo(first);
				assertThat(service.cache(two)).isNotEqualTo(second);
			}
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aConditionLeavesCallsOutPlainAndSync(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		assertThat(service.conditional(4)).isNotEqualTo(service.conditional(4));
		assertThat(service.conditional(3)).isEqualTo(service.conditional(3));
		assertThat(service.conditionalSync(4)).isNotEqualTo(service.conditionalSync(4));
		assertThat(service.conditionalSync(3)).isEqualTo(service.conditionalSync(3));
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void unlessKeepsAResultOutOfTheCache(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			cache("testCache").clear();
			service.unless(10);
			service.unless(11);
			assertThat(cache("testCache").get(10)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo(10L);
			assertThat(cache("testCache").get(11)).isNull();
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void keysFromSpelAndFromVarargs(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		assertThat(service.key(5, 1)).isEqualTo(service.key(5, 2));
		assertThat(service.key(1, 5)).isNotEqualTo(service.key(2, 5));
		assertThat(service.varArgsKey(1, 2, 3)).isEqualTo(service.varArgsKey(1, 2, 3));
		assertThat(service.varArgsKey(1, 2)).isNotEqualTo(service.varArgsKey(1, 2, 3));
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void nullValuesAreCachedPerKey(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		String key = key();
		assertThat(service.nullValue(key)).isNull();
		long calls = service.nullCalls();
		assertThat(service.nullValue(key)).isNull();
		assertThat(service.nullCalls()).isEqualTo(calls);
		assertThat(service.nullValue(key())).isNull();
		assertThat(service.nullCalls()).isEqualTo(calls + 1);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void keysFromTheRootObject(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			Object first = service.name(key);
			assertThat(service.name(key)).isEqualTo(first);
			Object firstRoot = service.rootVars(key);
			assertThat(service.rootVars(key)).isEqualTo(firstRoot);
			assertThat(cache("testCache").get("rootVarsrootVars" + AopProxyUtils.ultimateTargetClass(service) + service))
				.as("the key of #root.methodName, #root.method.name, #root.targetClass and #root.target")
				.isNotNull();
		}
		assertThat(cache("testCache").get("name")).as("the method's name as the key").isNotNull();
		assertThat(cache("testCache").get("nametestCache")).as("the method's and the first cache's name").isNotNull();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void keyGeneratorsAndCacheManagersNamedByTheOperation(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		String key = key();
		Object first = service.customKeyGenerator(key);
		assertThat(service.customKeyGenerator(key)).isEqualTo(first);
		assertThat(cache("testCache").get("customKeyGenerator#" + key)).isNotNull();
		assertThatExceptionOfType(NoSuchBeanDefinitionException.class)
			.isThrownBy(() -> service.unknownCustomKeyGenerator(key));
		Object managed = service.customCacheManager(key);
		assertThat(service.customCacheManager(key)).isEqualTo(managed);
		assertThat(this.context.getBean("customCacheManager", ConcurrentMapCacheManager.class).getCache("testCache")
			.get(key)).isNotNull();
		assertThat(cache("testCache").get(key)).isNull();
		assertThatExceptionOfType(NoSuchBeanDefinitionException.class)
			.isThrownBy(() -> service.unknownCustomCacheManager(key));
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aNullArgumentIsAKey(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			Object first = service.cache(null);
			assertThat(service.cache(null)).isEqualTo(first);
		}
		assertThat(cache("testCache").get(new SimpleKey((Object) null))).isNotNull();
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void checkedAndUncheckedExceptionsReachTheCallerUnchanged(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String argument = key();
			assertThatIOException().isThrownBy(() -> service.throwChecked(argument)).withMessage(argument);
			assertThatIOException().isThrownBy(() -> service.throwCheckedSync(argument)).withMessage(argument);
			assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> service.throwUnchecked(1L))
				.withMessage("1");
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> service.throwUncheckedSync(1L))
				.withMessage("1");
		}
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void cachePutStoresTheResultAlwaysOrOnItsCondition(boolean fast, CacheMode mode) {
		start(fast, mode);
		for (Service service : new Service[] { service(), classService() }) {
			String key = key();
			assertThat(cache("testCache").get(key)).isNull();
			Object updated = service.update(key);
			assertThat(cache("testCache").get(key)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo(updated);
			assertThat(service.update(key)).isNotEqualTo(updated);
		}
		MethodService service = service();
		cache("testCache").clear();
		assertThat(service.conditionalUpdate(1)).isEqualTo(1);
		assertThat(cache("testCache").get(1)).isNull();
		assertThat(service.conditionalUpdate(3)).isEqualTo(3);
		assertThat(cache("testCache").get(3)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo(3);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void operationsOverTwoCaches(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		Cache primary = cache("primary");
		Cache secondary = cache("secondary");
		String key = key();
		Object first = service.multiCache(key);
		assertThat(primary.get(key)).extracting(Cache.ValueWrapper::get).isEqualTo(first);
		assertThat(secondary.get(key)).extracting(Cache.ValueWrapper::get).isEqualTo(first);
		assertThat(service.multiCache(key)).isEqualTo(first);
		primary.put(key + "A", key + "A");
		service.multiEvict(key);
		assertThat(primary.get(key)).isNull();
		assertThat(secondary.get(key)).isNull();
		assertThat(primary.get(key + "A")).isNull();
		Object again = service.multiCache(key);
		assertThat(again).isNotEqualTo(first);
		assertThat(service.multiCache(key)).isEqualTo(again);
		Object put = service.multiUpdate(7);
		assertThat(primary.get(7)).extracting(Cache.ValueWrapper::get).isEqualTo(put);
		assertThat(secondary.get(7)).extracting(Cache.ValueWrapper::get).isEqualTo(put);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void aPutKeyedByTheResult(boolean fast, CacheMode mode) {
		start(fast, mode);
		Entity entity = new Entity();
		service().putRefersToResult(entity);
		assertThat(cache("primary").get(Long.MIN_VALUE)).extracting(Cache.ValueWrapper::get).isEqualTo(entity);
	}

	@ParameterizedTest(name = "fast={0}, {1}")
	@MethodSource("paths")
	void cachingThatCachesInOneCacheAndEvictsAnother(boolean fast, CacheMode mode) {
		start(fast, mode);
		MethodService service = service();
		Cache primary = cache("primary");
		Cache secondary = cache("secondary");
		secondary.put(1, 1);
		Object first = service.multiCacheAndEvict(1);
		assertThat(service.multiCacheAndEvict(1)).isEqualTo(first);
		assertThat(primary.get("multiCacheAndEvict")).extracting(Cache.ValueWrapper::get).isEqualTo(first);
		assertThat(secondary.get("multiCacheAndEvict")).isNull();
		assertThat(secondary.get(1)).isNull();
		secondary.put(1, 1);
		assertThat(service.multiConditionalCacheAndEvict(1)).isNotEqualTo(service.multiConditionalCacheAndEvict(1));
		assertThat(primary.get(1)).isNull();
		Object three = service.multiConditionalCacheAndEvict(3);
		assertThat(service.multiConditionalCacheAndEvict(3)).isEqualTo(three);
		assertThat(primary.get(3)).extracting(Cache.ValueWrapper::get).isEqualTo(three);
		assertThat(secondary.get(3)).isNull();
	}

	/** An entity whose id the cached method sets, as a repository's save does. */
	public static class Entity implements Serializable {

		private Long id;

		public Long getId() {
			return this.id;
		}

		public void setId(Long id) {
			this.id = id;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Entity entity && Objects.equals(entity.id, this.id);
		}

		@Override
		public int hashCode() {
			return Objects.hashCode(this.id);
		}

	}

	/** What both services offer, for the cases that run on both. */
	public interface Service {

		Long cache(Object key);

		void evict(Object key, Object other);

		void evictEarly(Object key);

		void evictWithException(Object key);

		void evictAll(Object other);

		void evictAllEarly(Object other);

		Long unless(int value);

		Long name(Object key);

		Long rootVars(Object key);

		Long update(Object key);

		Long throwChecked(Object argument) throws IOException;

		Long throwCheckedSync(Object argument) throws IOException;

		Long throwUnchecked(Object argument);

		Long throwUncheckedSync(Object argument);

	}

	/** Annotated per method, as Spring's {@code DefaultCacheableService}. */
	/** What the per-method service offers besides {@link Service}: Spring proxies it through its interfaces. */
	public interface MethodService extends Service {

		long nullCalls();

		Object cacheNull(Object key);

		Long cacheSync(Object key);

		Object cacheSyncNull(Object key);

		Long conditional(int value);

		Long conditionalSync(int value);

		Long key(Object first, Object second);

		Long varArgsKey(Object... arguments);

		Object nullValue(Object key);

		Long customKeyGenerator(Object key);

		Long unknownCustomKeyGenerator(Object key);

		Long customCacheManager(Object key);

		Long unknownCustomCacheManager(Object key);

		Integer conditionalUpdate(Integer arg);

		Long multiCache(Object key);

		Long multiEvict(Object key);

		Long multiCacheAndEvict(Object key);

		Long multiConditionalCacheAndEvict(Object key);

		Long multiUpdate(Object key);

		Entity putRefersToResult(Entity entity);

	}

	public static class MethodAnnotatedService implements MethodService {

		private final AtomicLong counter = new AtomicLong();

		private final AtomicLong nullCalls = new AtomicLong();

		@Override
		public long nullCalls() {
			return this.nullCalls.get();
		}

		@Override
		@Cacheable("testCache")
		public Long cache(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable("testCache")
		public Object cacheNull(Object key) {
			this.nullCalls.incrementAndGet();
			return null;
		}

		@Override
		@Cacheable(cacheNames = "testCache", sync = true)
		public Long cacheSync(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", sync = true)
		public Object cacheSyncNull(Object key) {
			this.nullCalls.incrementAndGet();
			return null;
		}

		@Override
		@CacheEvict(cacheNames = "testCache", key = "#p0")
		public void evict(Object key, Object other) {
		}

		@Override
		@CacheEvict(cacheNames = "testCache", beforeInvocation = true)
		public void evictEarly(Object key) {
			throw new RuntimeException("exception thrown - evict should still occur");
		}

		@Override
		@CacheEvict("testCache")
		public void evictWithException(Object key) {
			throw new RuntimeException("exception thrown - evict should NOT occur");
		}

		@Override
		@CacheEvict(cacheNames = "testCache", allEntries = true)
		public void evictAll(Object other) {
		}

		@Override
		@CacheEvict(cacheNames = "testCache", allEntries = true, beforeInvocation = true)
		public void evictAllEarly(Object other) {
			throw new RuntimeException("exception thrown - evict should still occur");
		}

		@Override
		@Cacheable(cacheNames = "testCache", condition = "#p0 == 3")
		public Long conditional(int value) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", sync = true, condition = "#p0 == 3")
		public Long conditionalSync(int value) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", unless = "#result > 10")
		public Long unless(int value) {
			return (long) value;
		}

		@Override
		@Cacheable(cacheNames = "testCache", key = "#p0")
		public Long key(Object first, Object second) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable("testCache")
		public Long varArgsKey(Object... arguments) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable("testCache")
		public Object nullValue(Object key) {
			this.nullCalls.incrementAndGet();
			return null;
		}

		@Override
		@Cacheable(cacheNames = "testCache", key = "#root.methodName")
		public Long name(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache",
				key = "#root.methodName + #root.method.name + #root.targetClass + #root.target")
		public Long rootVars(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", keyGenerator = "customKeyGenerator")
		public Long customKeyGenerator(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", keyGenerator = "unknownBeanName")
		public Long unknownCustomKeyGenerator(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", cacheManager = "customCacheManager")
		public Long customCacheManager(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(cacheNames = "testCache", cacheManager = "unknownBeanName")
		public Long unknownCustomCacheManager(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@CachePut("testCache")
		public Long update(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@CachePut(cacheNames = "testCache", condition = "#arg.equals(3)")
		public Integer conditionalUpdate(Integer arg) {
			return arg;
		}

		@Override
		@Cacheable("testCache")
		public Long throwChecked(Object argument) throws IOException {
			throw new IOException(argument.toString());
		}

		@Override
		@Cacheable(cacheNames = "testCache", sync = true)
		public Long throwCheckedSync(Object argument) throws IOException {
			throw new IOException(argument.toString());
		}

		@Override
		@Cacheable("testCache")
		public Long throwUnchecked(Object argument) {
			throw new UnsupportedOperationException(argument.toString());
		}

		@Override
		@Cacheable(cacheNames = "testCache", sync = true)
		public Long throwUncheckedSync(Object argument) {
			throw new UnsupportedOperationException(argument.toString());
		}

		@Override
		@Cacheable({ "primary", "secondary" })
		public Long multiCache(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Caching(evict = { @CacheEvict("primary"), @CacheEvict(cacheNames = "secondary", key = "#p0"),
				@CacheEvict(cacheNames = "primary", key = "#p0 + 'A'") })
		public Long multiEvict(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Caching(cacheable = @Cacheable(cacheNames = "primary", key = "#root.methodName"),
				evict = @CacheEvict("secondary"))
		public Long multiCacheAndEvict(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Caching(cacheable = @Cacheable(cacheNames = "primary", condition = "#p0 == 3"),
				evict = @CacheEvict("secondary"))
		public Long multiConditionalCacheAndEvict(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Caching(put = { @CachePut("primary"), @CachePut("secondary") })
		public Long multiUpdate(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@CachePut(cacheNames = "primary", key = "#result.id")
		public Entity putRefersToResult(Entity entity) {
			entity.setId(Long.MIN_VALUE);
			return entity;
		}

	}

	/** Annotated at class level, as Spring's {@code AnnotatedClassCacheableService}. */
	@Cacheable("testCache")
	@CacheConfig(cacheNames = "testCache")
	public static class ClassAnnotatedService implements Service {

		private final AtomicLong counter = new AtomicLong();

		@Override
		public Long cache(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@CacheEvict(key = "#p0")
		public void evict(Object key, Object other) {
		}

		@Override
		@CacheEvict(beforeInvocation = true)
		public void evictEarly(Object key) {
			throw new RuntimeException("exception thrown - evict should still occur");
		}

		@Override
		@CacheEvict
		public void evictWithException(Object key) {
			throw new RuntimeException("exception thrown - evict should NOT occur");
		}

		@Override
		@CacheEvict(allEntries = true)
		public void evictAll(Object other) {
		}

		@Override
		@CacheEvict(allEntries = true, beforeInvocation = true)
		public void evictAllEarly(Object other) {
			throw new RuntimeException("exception thrown - evict should still occur");
		}

		@Override
		@Cacheable(unless = "#result > 10")
		public Long unless(int value) {
			return (long) value;
		}

		@Override
		@Cacheable(key = "#root.methodName + #root.caches[0].name")
		public Long name(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@Cacheable(key = "#root.methodName + #root.method.name + #root.targetClass + #root.target")
		public Long rootVars(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		@CachePut
		public Long update(Object key) {
			return this.counter.getAndIncrement();
		}

		@Override
		public Long throwChecked(Object argument) throws IOException {
			throw new IOException(argument.toString());
		}

		@Override
		@Cacheable(sync = true)
		public Long throwCheckedSync(Object argument) throws IOException {
			throw new IOException(argument.toString());
		}

		@Override
		public Long throwUnchecked(Object argument) {
			throw new UnsupportedOperationException(argument.toString());
		}

		@Override
		@Cacheable(sync = true)
		public Long throwUncheckedSync(Object argument) {
			throw new UnsupportedOperationException(argument.toString());
		}

	}

}
