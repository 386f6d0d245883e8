package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.autoconfigure.warming.CacheWarming;
import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.interceptor.TiercacheAdvisor;
import dev.tiercache.interceptor.TiercacheMethodValidator;
import dev.tiercache.interceptor.TiercacheOperationSource;
import dev.tiercache.interceptor.SpringCacheFastPath;
import dev.tiercache.interceptor.TieredCacheResolver;
import dev.tiercache.interceptor.WriteBehindRegistrar;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.TiercacheErrorHandler;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindSettings;

/**
 * Auto-configuration of Tiercache: a {@link TieredCacheManager} over the application's Redis
 * connection (the application's {@link CacheManager} unless it defines its own), with the application's
 * {@link TiercacheErrorHandler} bean if it has one, customized by {@link TieredCacheManagerCustomizer}
 * beans, the advice behind the annotations, the write-behind queues, and a {@link CacheResolver} that
 * gives Spring's {@code @Cacheable} typed values (unless the application has its own
 * {@link CachingConfigurer}). Every bean backs off when the application defines one of its type.
 */
@AutoConfiguration(after = DataRedisAutoConfiguration.class, before = CacheAutoConfiguration.class)
@ConditionalOnClass({ RedisConnectionFactory.class, Caffeine.class, TieredCacheManager.class })
@ConditionalOnBooleanProperty(name = "tiercache.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TiercacheProperties.class)
@Import({ TiercacheAutoConfiguration.AutoProxyRegistrar.class, LettuceReconnection.class, TiercacheTracing.class,
		TiercacheGuardConfiguration.class })
public final class TiercacheAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ValueCodec.class)
	JsonOrSerializedValueCodec tiercacheValueCodec(TiercacheProperties properties, BeanFactory beanFactory) {
		List<String> packages = new ArrayList<>(properties.getSerialization().getAllowedPackages());
		if (AutoConfigurationPackages.has(beanFactory)) {
			packages.addAll(AutoConfigurationPackages.get(beanFactory));
		}
		return new JsonOrSerializedValueCodec(new SerializationAllowList(packages));
	}

	@Bean
	@ConditionalOnMissingBean(CacheManager.class)
	TieredCacheManager cacheManager(TiercacheProperties properties, ObjectProvider<RedisConnectionFactory> redis,
			ValueCodec codec, Environment environment, ObjectProvider<TiercacheErrorHandler> errorHandler,
			ObjectProvider<TieredCacheManagerCustomizer> customizers) {
		TieredCacheManager.Builder builder = CacheSettingsBinder.mapped("tiercache",
				() -> TieredCacheManager.builder(redis.getIfAvailable())
					.keyPrefix(keyPrefix(properties, environment))
					.redisTimeout(properties.getRedis().getTimeout())
					.redisBreaker(BreakerConfigBinder.config(properties.getRedis().getBreaker()))
					.readFrom(ReadFromBinder.readFrom(properties.getRedis().getReadFrom()))
					.maxValueBytes(properties.getMaxValueSize().toBytes())
					.reportHotKeys(properties.getWarming().isEnabled() && properties.getWarming().getHotKeys() > 0)
					.codec(codec)
					.dynamic(properties.isDynamic())
					.defaults(CacheSettingsBinder.defaults(properties)));
		CacheSettingsBinder.declared(properties)
			.forEach((name, settings) -> CacheSettingsBinder.mapped("tiercache", () -> builder.cache(name, settings)));
		EncryptionBinder.apply(properties, builder);
		builder.loadBulkheads(LoadBulkheadBinder.bulkheads(properties));
		builder.newKeyLimits(LoadBulkheadBinder.newKeyLimits(properties));
		errorHandler.ifAvailable(builder::errorHandler);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	/**
	 * {@code tiercache.key-prefix} as set; otherwise the application's name with the characters a prefix
	 * may not hold (':', '{', '}') replaced by '-', or {@value TieredCacheManager#DEFAULT_KEY_PREFIX}.
	 */
	private static String keyPrefix(TiercacheProperties properties, Environment environment) {
		String configured = properties.getKeyPrefix();
		if (configured != null) {
			return configured;
		}
		String name = environment.getProperty("spring.application.name");
		return (name != null && !name.isBlank()) ? name.replaceAll("[:{}]", "-") : TieredCacheManager.DEFAULT_KEY_PREFIX;
	}

	@Bean
	@ConditionalOnMissingBean(CachingConfigurer.class)
	CachingConfigurer tiercacheCachingConfigurer(ObjectProvider<TieredCacheManager> cacheManager) {
		return new CachingConfigurer() {

			@Override
			public @Nullable CacheResolver cacheResolver() {
				TieredCacheManager manager = cacheManager.getIfUnique();
				return (manager != null) ? new TieredCacheResolver(manager) : null;
			}

		};
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "tiercache.spring-annotations", havingValue = "fast", matchIfMissing = true)
	static SpringCacheFastPath tiercacheSpringCacheFastPath() {
		return new SpringCacheFastPath();
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static TiercacheMethodValidator tiercacheMethodValidator(Environment environment) {
		TiercacheProperties.NeverCache neverCache = Binder.get(environment)
			.bind("tiercache.never-cache", TiercacheProperties.NeverCache.class)
			.orElseGet(TiercacheProperties.NeverCache::new);
		return new TiercacheMethodValidator(neverCache.getTypes(), neverCache.getFields());
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static TiercacheOperationSource tiercacheOperationSource(ObjectProvider<CacheManager> cacheManager,
			ObjectProvider<WriteBehindQueues> writeBehindQueues, ConfigurableBeanFactory beanFactory) {
		return new TiercacheOperationSource(() -> tieredCacheManager(cacheManager), writeBehindQueues::getIfUnique,
				beanFactory::resolveEmbeddedValue);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static WriteBehindRegistrar tiercacheWriteBehindRegistrar(TiercacheOperationSource operations) {
		return new WriteBehindRegistrar(operations);
	}

	/** The queues of {@code @WriteBehind} methods; created only when Redis is configured. */
	@Bean(destroyMethod = "close")
	@ConditionalOnBean(RedisConnectionFactory.class)
	@ConditionalOnMissingBean
	WriteBehindQueues tiercacheWriteBehindQueues(TiercacheProperties properties, RedisConnectionFactory redis,
			ValueCodec codec, ObjectProvider<CacheManager> cacheManager, Environment environment) {
		WriteBehindSettings defaults = CacheSettingsBinder.writeBehindDefaults(properties);
		Map<String, WriteBehindSettings> declared = CacheSettingsBinder.declaredWriteBehind(properties);
		if (cacheManager.getIfUnique() instanceof TieredCacheManager manager && manager.redisConnection() != null) {
			return new WriteBehindQueues(manager, codec, defaults, declared);
		}
		return new WriteBehindQueues(redis, properties.getRedis().getTimeout(), RedisCircuitBreaker.disabled(),
				keyPrefix(properties, environment), codec, defaults, declared);
	}

	private static TieredCacheManager tieredCacheManager(ObjectProvider<CacheManager> cacheManagers) {
		CacheManager manager = cacheManagers.getIfUnique();
		if (manager instanceof TieredCacheManager tiered) {
			return tiered;
		}
		throw new IllegalStateException("@CacheAside needs a TieredCacheManager as the application's CacheManager, but "
				+ ((manager != null) ? "found " + manager.getClass().getName() : "there is none or several")
				+ "; remove the application's own CacheManager bean or build it with TieredCacheManager.builder(…)");
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static TiercacheAdvisor tiercacheAdvisor(TiercacheOperationSource operations) {
		return new TiercacheAdvisor(operations);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "tiercache.warming.enabled", matchIfMissing = true)
	CacheWarming cacheWarming(ListableBeanFactory beanFactory, TiercacheProperties properties) {
		TiercacheProperties.Warming warming = properties.getWarming();
		if (warming.getConcurrency() < 1) {
			throw new InvalidTiercachePropertyException("tiercache.warming.concurrency", warming.getConcurrency(),
					"must be at least 1");
		}
		if (warming.getHotKeys() < 0) {
			throw new InvalidTiercachePropertyException("tiercache.warming.hot-keys", warming.getHotKeys(),
					"must be 0 (none) or more");
		}
		return new CacheWarming(beanFactory, warming.getConcurrency(), warming.getHotKeys());
	}

	/**
	 * Makes sure an auto-proxy creator exists, so the advisor applies even where Boot's AOP
	 * auto-configuration is switched off.
	 */
	static final class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
		}

	}

}
