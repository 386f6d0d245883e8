package dev.tiercache.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.JacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.autoconfigure.guard.ExistingKeys;
import dev.tiercache.guard.PenetrationGuard;
import dev.tiercache.guard.PenetrationGuards;
import dev.tiercache.tier.TieredCacheManager;

/**
 * The things benchmarks compare, each built the way an application would build it, with CGLIB
 * proxies throughout (Spring Boot's default). Close what you start.
 */
public final class Subjects implements AutoCloseable {

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final URI redis = BenchRedis.uri();

	private final @Nullable ClientResources clientResources;

	/** Counts loader calls of every catalogue created by this instance. */
	public final AtomicInteger loads = new AtomicInteger();

	/** Spring Boot's properties that point the Tiercache instances at their Redis. */
	private final String[] redisProperties;

	/** Subjects whose Redis clients use Lettuce's default resources. */
	public Subjects() {
		this((ClientResources) null);
	}

	/** Subjects whose Redis clients use the given resources (to count commands, for instance). */
	Subjects(@Nullable ClientResources clientResources) {
		this.clientResources = clientResources;
		this.redisProperties = new String[] { "spring.data.redis.host=" + this.redis.getHost(),
				"spring.data.redis.port=" + this.redis.getPort() };
	}

	/**
	 * Subjects whose Tiercache instances use another Redis than the benchmarks' one, as Spring Boot's
	 * {@code redisProperties} name it (a cluster's nodes, say).
	 */
	Subjects(String... redisProperties) {
		this.clientResources = null;
		this.redisProperties = redisProperties.clone();
	}

	/**
	 * A Spring Boot application with Tiercache auto-configured, as one instance of an application, its
	 * {@code tiercache.*} meters bound to a Micrometer registry.
	 */
	public TieredCatalog tiered(String keyPrefix) {
		return tieredInstance(keyPrefix).getBean(TieredCatalog.class);
	}

	/**
	 * A {@link #tiered} instance whose {@code guarded} cache has a penetration guard, filled with the
	 * {@code existingIds} ids from 1 on; returned once its filter is built (by this instance or an
	 * earlier one) and copied here.
	 * @throws IllegalStateException if the filter is not built within a minute
	 */
	public GuardedCatalog guarded(String keyPrefix, long existingIds) {
		ConfigurableApplicationContext context = tieredInstance(GuardedApplication.class, keyPrefix,
				"tiercache.caches.guarded.guard.expected-keys=" + existingIds,
				"tiercache.caches.guarded.null-ttl=10m", "bench.existing-ids=" + existingIds);
		PenetrationGuard guard = context.getBean(PenetrationGuards.class).guard("guarded");
		long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
		while (guard == null || !guard.built()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(
						"The penetration guard of cache 'guarded' was not built within a minute");
			}
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
		}
		return context.getBean(GuardedCatalog.class);
	}

	/** The cache manager of a new {@link #tiered} instance. */
	public TieredCacheManager tieredManager(String keyPrefix) {
		return tieredInstance(keyPrefix).getBean(TieredCacheManager.class);
	}

	/**
	 * A new {@link #tiered} instance, its properties overridden by {@code properties}
	 * ({@code name=value}); closed with the subjects, or before by the caller.
	 */
	ConfigurableApplicationContext tieredInstance(String keyPrefix, String... properties) {
		return tieredInstance(TieredApplication.class, keyPrefix, properties);
	}

	private ConfigurableApplicationContext tieredInstance(Class<?> application, String keyPrefix,
			String... properties) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(this.redisProperties)
			.properties("spring.main.banner-mode=off", "logging.level.root=warn",
					"tiercache.key-prefix=" + keyPrefix, "tiercache.cache-names=hot,stampede",
					"tiercache.caches.remote.mode=remote", "tiercache.caches.batch.mode=remote",
					"tiercache.caches.miss.ttl=20s",
					"tiercache.caches.miss.ttl-jitter=0",
					// null markers live 10 minutes, as the null values of the Spring managers below do
					"tiercache.caches.absent.null-ttl=10m")
			.properties(properties)
			.initializers((initializing) -> {
				initializing.getBeanFactory().registerSingleton("loads", this.loads);
				if (this.clientResources != null) {
					initializing.getBeanFactory().registerSingleton("lettuceClientResources", this.clientResources);
				}
			})
			.run();
		this.contexts.add(context);
		if (context.getBean(MeterRegistry.class).find("tiercache.gets").meters().isEmpty()) {
			throw new IllegalStateException("The tiercache.* meters are not bound: the benchmarks measure with them bound");
		}
		return context;
	}

	/**
	 * Spring's own {@code @Cacheable} on Tiercache's manager: a {@link #tiered} instance with
	 * {@code @EnableCaching}, as an application that moved its {@code @Cacheable} code to Tiercache runs.
	 */
	public SpringCatalog springOnTiercache(String keyPrefix) {
		return tieredInstance(TieredSpringApplication.class, keyPrefix).getBean(SpringCatalog.class);
	}

	/** Spring's {@code @Cacheable} over {@link CaffeineCacheManager}. */
	public SpringCatalog springOnCaffeine() {
		return springCatalog(CaffeineConfiguration.class);
	}

	/** Spring's {@code @Cacheable} over {@link RedisCacheManager} with typed JSON values (default, non-locking writer). */
	public SpringCatalog springOnRedis(String keyPrefix) {
		return springOnRedis(keyPrefix, false);
	}

	/**
	 * Spring's {@code @Cacheable} over {@link RedisCacheManager} with typed JSON values.
	 * @param locking whether to use {@link RedisCacheWriter#lockingRedisCacheWriter}, which holds one
	 * lock per cache (not per key) across all instances while a value is loaded
	 */
	public SpringCatalog springOnRedis(String keyPrefix, boolean locking) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getBeanFactory().registerSingleton("lockingWriter", locking);
		context.getBeanFactory().registerSingleton("loads", this.loads);
		context.getBeanFactory().registerSingleton("redisAddress", this.redis);
		context.getBeanFactory().registerSingleton("keyPrefix", keyPrefix);
		if (this.clientResources != null) {
			context.getBeanFactory().registerSingleton("lettuceClientResources", this.clientResources);
		}
		context.register(RedisConfiguration.class);
		context.refresh();
		this.contexts.add(context);
		return context.getBean(SpringCatalog.class);
	}

	private SpringCatalog springCatalog(Class<?> configuration) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getBeanFactory().registerSingleton("loads", this.loads);
		context.register(configuration);
		context.refresh();
		this.contexts.add(context);
		return context.getBean(SpringCatalog.class);
	}

	/**
	 * The least any annotation-driven cache can cost: the catalogue behind a bare Spring AOP (CGLIB)
	 * proxy whose interceptor only asks Caffeine for {@code arguments[0]}.
	 */
	public PlainCatalog proxyFloor() {
		com.github.benmanes.caffeine.cache.Cache<Object, Object> cache = Caffeine.newBuilder().maximumSize(10_000)
			.build();
		MethodInterceptor interceptor = (invocation) -> {
			Object key = invocation.getArguments()[0];
			Object cached = cache.getIfPresent(key);
			if (cached != null) {
				return cached;
			}
			Object value = invocation.proceed();
			cache.put(key, value);
			return value;
		};
		return proxied(interceptor);
	}

	/**
	 * The proxy floor plus the least an L1 entry needs for the cache's promises, in a few lines: each
	 * value kept in an entry with its deadline (checked against a clock read from a volatile field, as a
	 * coarse clock is) and the type it was stored as (checked against the method's), and every hit counted
	 * exactly (a {@link LongAdder}). What a hit costs beyond this is the cache's own dispatch and layering.
	 */
	public PlainCatalog bookkeepingFloor() {
		com.github.benmanes.caffeine.cache.Cache<Object, Entry> cache = Caffeine.newBuilder().maximumSize(10_000)
			.build();
		LongAdder hits = new LongAdder();
		MethodInterceptor interceptor = (invocation) -> {
			Object key = invocation.getArguments()[0];
			Entry entry = cache.getIfPresent(key);
			if (entry != null && entry.deadlineNanos() - Entry.now > 0 && entry.type() == Book.class) {
				hits.increment();
				return entry.value();
			}
			Object value = invocation.proceed();
			cache.put(key, new Entry(value, System.nanoTime() + Duration.ofHours(1).toNanos(), Book.class));
			return value;
		};
		return proxied(interceptor);
	}

	private PlainCatalog proxied(MethodInterceptor interceptor) {
		ProxyFactory factory = new ProxyFactory(new PlainCatalog(this.loads));
		factory.setProxyTargetClass(true);
		factory.addAdvice(interceptor);
		return (PlainCatalog) factory.getProxy();
	}

	/** An entry of {@link #bookkeepingFloor()}. */
	private record Entry(Object value, long deadlineNanos, Class<?> type) {

		/** The clock, read as a coarse clock is read: a volatile field. */
		static volatile long now = System.nanoTime();

	}

	@Override
	public void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TieredApplication {

		@Bean
		TieredCatalog tieredCatalog(AtomicInteger loads) {
			return new TieredCatalog(loads);
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class GuardedApplication {

		@Bean
		GuardedCatalog guardedCatalog(AtomicInteger loads, Environment environment) {
			return new GuardedCatalog(loads, environment.getRequiredProperty("bench.existing-ids", Long.class));
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching(proxyTargetClass = true)
	static class TieredSpringApplication {

		@Bean
		SpringCatalog springCatalog(AtomicInteger loads) {
			return new SpringCatalog(loads);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching(proxyTargetClass = true)
	static class CaffeineConfiguration {

		@Bean
		CacheManager cacheManager() {
			CaffeineCacheManager manager = new CaffeineCacheManager("hot", "absent");
			manager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)));
			return manager;
		}

		@Bean
		SpringCatalog springCatalog(AtomicInteger loads) {
			return new SpringCatalog(loads);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching(proxyTargetClass = true)
	static class RedisConfiguration {

		@Bean(destroyMethod = "destroy")
		LettuceConnectionFactory redisConnectionFactory(URI redisAddress, ObjectProvider<ClientResources> resources) {
			LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder();
			resources.ifAvailable(client::clientResources);
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(redisAddress.getHost(), redisAddress.getPort()), client.build());
			factory.afterPropertiesSet();
			return factory;
		}

		@Bean
		CacheManager cacheManager(LettuceConnectionFactory redisConnectionFactory, String keyPrefix,
				Boolean lockingWriter) {
			RedisCacheConfiguration defaults = RedisCacheConfiguration.defaultCacheConfig()
				.entryTtl(Duration.ofMinutes(10))
				.prefixCacheNameWith(keyPrefix + ":")
				.serializeValuesWith(RedisSerializationContext.SerializationPair
					.fromSerializer(new JacksonJsonRedisSerializer<>(Book.class)));
			RedisCacheWriter writer = lockingWriter ? RedisCacheWriter.lockingRedisCacheWriter(redisConnectionFactory)
					: RedisCacheWriter.nonLockingRedisCacheWriter(redisConnectionFactory);
			return RedisCacheManager.builder(writer)
				.cacheDefaults(defaults)
				.withCacheConfiguration("miss", defaults.entryTtl(Duration.ofSeconds(20)))
				.build();
		}

		@Bean
		SpringCatalog springCatalog(AtomicInteger loads) {
			return new SpringCatalog(loads);
		}

	}

	/**
	 * A catalogue of the ids from 1 to {@code existingIds}, whose cache of lookups has a penetration guard
	 * filled with them.
	 */
	public static class GuardedCatalog {

		private final AtomicInteger loads;

		private final long existingIds;

		public GuardedCatalog(AtomicInteger loads, long existingIds) {
			this.loads = loads;
			this.existingIds = existingIds;
		}

		/** What the database answers for an id it does not have, after 1 ms: {@code null}. */
		@CacheAside(cache = "guarded")
		public @Nullable Book absent(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(1);
			return null;
		}

		/** The ids that exist, as a query of the primary keys would stream them. */
		@ExistingKeys(cache = "guarded")
		public LongStream existingIds() {
			return LongStream.rangeClosed(1, this.existingIds);
		}

	}

	/** A catalogue cached with Tiercache. */
	public static class TieredCatalog {

		private final AtomicInteger loads;

		public TieredCatalog(AtomicInteger loads) {
			this.loads = loads;
		}

		@CacheAside(cache = "hot")
		public Book hot(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

		@CacheAside(cache = "remote")
		public Book remote(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

		@CacheAside(cache = "miss")
		public Book miss(Long id) {
			this.loads.incrementAndGet();
			return Book.of(1);
		}

		@CacheAside(cache = "stampede")
		public Book slow(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(50);
			return Book.of(id);
		}

		/** What the database answers for an id it does not have, after 1 ms: {@code null}. */
		@CacheAside(cache = "absent")
		public @Nullable Book absent(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(1);
			return null;
		}

		/** The books of many ids, with one call for those the cache misses. */
		@CacheAside(cache = "batch", batch = true)
		public Map<Long, Book> books(Collection<Long> ids) {
			this.loads.incrementAndGet();
			Map<Long, Book> books = new LinkedHashMap<>();
			ids.forEach((id) -> books.put(id, Book.of(id)));
			return books;
		}

		/** One book of the same cache as {@link #books}. */
		@CacheAside(cache = "batch")
		public Book book(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

	}

	/** The same catalogue cached with Spring's {@code @Cacheable}. */
	public static class SpringCatalog {

		private final AtomicInteger loads;

		public SpringCatalog(AtomicInteger loads) {
			this.loads = loads;
		}

		@Cacheable(cacheNames = "hot", sync = true)
		public Book hot(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

		@Cacheable(cacheNames = "remote")
		public Book remote(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

		@Cacheable(cacheNames = "miss")
		public Book miss(Long id) {
			this.loads.incrementAndGet();
			return Book.of(1);
		}

		@Cacheable(cacheNames = "stampede", sync = true)
		public Book slow(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(50);
			return Book.of(id);
		}

		/** What the database answers for an id it does not have, after 1 ms: {@code null}. */
		@Cacheable(cacheNames = "absent")
		public @Nullable Book absent(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(1);
			return null;
		}

	}

	/** The catalogue with no caching of its own (the proxy floor wraps it). */
	public static class PlainCatalog {

		private final AtomicInteger loads;

		public PlainCatalog(AtomicInteger loads) {
			this.loads = loads;
		}

		public Book find(Long id) {
			this.loads.incrementAndGet();
			return Book.of(id);
		}

	}

}
