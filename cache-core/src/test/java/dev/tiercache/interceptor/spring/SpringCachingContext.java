package dev.tiercache.interceptor.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.provider.Arguments;

import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.config.CacheManagementConfigUtils;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.interceptor.SpringCacheFastPath;
import dev.tiercache.interceptor.SpringCacheInterceptor;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application context the Spring semantics tests run their beans in: Spring's own
 * {@code @EnableCaching}, with Tiercache's manager (a fresh key prefix on the test Redis, or none in
 * {@code local} mode) as the only thing swapped in, and {@link SpringCacheFastPath} in place or left out.
 * Each test declares its caches, its beans and, optionally, the {@link CacheErrorHandler} (through a
 * {@link CachingConfigurer}, as an application declares it); {@link #start()} refreshes it and checks
 * which interceptor the cache advisor got.
 */
final class SpringCachingContext {

	private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

	private final boolean fast;

	private final CacheMode mode;

	private final Map<String, CacheSettings> caches = new LinkedHashMap<>();

	private UnaryOperator<TieredCacheManager.Builder> manager = UnaryOperator.identity();

	private @Nullable CacheErrorHandler errorHandler;

	private boolean primary = true;

	/**
	 * @param fast whether {@link SpringCacheFastPath} is in place, or Spring's interceptor runs every call
	 */
	SpringCachingContext(boolean fast, CacheMode mode) {
		this.fast = fast;
		this.mode = mode;
	}

	/** Both interceptors in every mode, as the arguments {@code (boolean fast, CacheMode mode)}. */
	static Stream<Arguments> paths() {
		return Stream.of(true, false)
			.flatMap((fast) -> Stream.of(CacheMode.values()).map((mode) -> Arguments.of(fast, mode)));
	}

	/** The paths with Redis, where a key must be named in Redis. */
	static Stream<Arguments> redisPaths() {
		return paths().filter((arguments) -> arguments.get()[1] != CacheMode.LOCAL);
	}

	/** The settings of the context's mode, for a cache that needs more than {@link #cache(String)} gives. */
	CacheSettings settings() {
		return CacheSettings.DEFAULTS.withMode(this.mode);
	}

	/** Declares a cache with the mode's default settings. */
	SpringCachingContext cache(String name) {
		return cache(name, settings());
	}

	SpringCachingContext cache(String name, CacheSettings settings) {
		this.caches.put(name, settings);
		return this;
	}

	/** Further settings of the manager, such as its Redis timeout. */
	SpringCachingContext manager(UnaryOperator<TieredCacheManager.Builder> manager) {
		this.manager = manager;
		return this;
	}

	/** The error handler a {@link CachingConfigurer} declares; without one, Spring's default. */
	SpringCachingContext errorHandler(CacheErrorHandler errorHandler) {
		this.errorHandler = errorHandler;
		return this;
	}

	/**
	 * Whether Tiercache's manager is the primary {@link CacheManager} (by default), or only the one the
	 * {@link CachingConfigurer} names, beside others none of which is primary.
	 */
	SpringCachingContext primary(boolean primary) {
		this.primary = primary;
		return this;
	}

	<T> SpringCachingContext bean(String name, Class<T> type) {
		this.context.registerBean(name, type);
		return this;
	}

	<T> SpringCachingContext bean(String name, Class<T> type, Supplier<T> supplier) {
		this.context.registerBean(name, type, supplier);
		return this;
	}

	/**
	 * Refreshes the context and checks that the cache advisor's interceptor is the fast path's or Spring's,
	 * as asked (closing the context if not).
	 */
	AnnotationConfigApplicationContext start() {
		this.context.register(CachingEnabled.class);
		if (this.mode != CacheMode.LOCAL) {
			this.context.registerBean(LettuceConnectionFactory.class, TestRedis::connectionFactory);
		}
		String prefix = TestRedis.uniquePrefix();
		this.context.registerBean("cacheManager", TieredCacheManager.class, () -> buildManager(prefix),
				(definition) -> definition.setPrimary(this.primary));
		CacheErrorHandler errorHandler = this.errorHandler;
		if (errorHandler != null) {
			this.context.registerBean(CachingConfigurer.class, () -> new CachingConfigurer() {

				@Override
				public CacheManager cacheManager() {
					return SpringCachingContext.this.context.getBean("cacheManager", CacheManager.class);
				}

				@Override
				public CacheErrorHandler errorHandler() {
					return errorHandler;
				}

			});
		}
		if (this.fast) {
			this.context.registerBean(SpringCacheFastPath.class);
		}
		this.context.refresh();
		try {
			Advice advice = this.context.getBean(CacheManagementConfigUtils.CACHE_ADVISOR_BEAN_NAME,
					AbstractBeanFactoryPointcutAdvisor.class).getAdvice();
			assertThat(advice).isExactlyInstanceOf(this.fast ? SpringCacheInterceptor.class : CacheInterceptor.class);
		}
		catch (AssertionError ex) {
			this.context.close();
			throw ex;
		}
		return this.context;
	}

	private TieredCacheManager buildManager(String prefix) {
		TieredCacheManager.Builder builder = TieredCacheManager
			.builder((this.mode != CacheMode.LOCAL) ? this.context.getBean(LettuceConnectionFactory.class) : null)
			.keyPrefix(prefix)
			.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
			.defaults(settings())
			.dynamic(false);
		this.caches.forEach(builder::cache);
		return this.manager.apply(builder).build();
	}

	@EnableCaching
	static class CachingEnabled {

	}

}
