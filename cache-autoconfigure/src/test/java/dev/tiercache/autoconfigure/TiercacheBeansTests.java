package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.annotation.Order;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tiercache.interceptor.TiercacheAdvisor;
import dev.tiercache.interceptor.TiercacheMethodValidator;
import dev.tiercache.interceptor.TiercacheOperationSource;
import dev.tiercache.interceptor.WriteBehindRegistrar;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TiercacheErrorHandler;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The beans of the auto-configuration as Spring Boot's own starters make theirs: each backs off to
 * the application's own bean of its type, names do not repeat the prefix, and
 * {@link TieredCacheManagerCustomizer}s shape the cache manager after the properties, in order; the
 * application's {@link TiercacheErrorHandler} is the caches'.
 */
class TiercacheBeansTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TiercacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
				"tiercache.cache-names=books");

	@Test
	void theInfrastructureBeansHavePlainNames() {
		this.runner.run((context) -> {
			assertThat(context.getBeanNamesForType(TiercacheAdvisor.class)).containsExactly("tiercacheAdvisor");
			assertThat(context.getBeanNamesForType(TiercacheOperationSource.class))
				.containsExactly("tiercacheOperationSource");
			assertThat(context.getBeanNamesForType(TiercacheMethodValidator.class))
				.containsExactly("tiercacheMethodValidator");
			assertThat(context.getBeanNamesForType(WriteBehindRegistrar.class))
				.containsExactly("tiercacheWriteBehindRegistrar");
		});
	}

	@Test
	void theApplicationsOwnInfrastructureBeansReplaceTheAutoConfiguredOnes() {
		this.runner.withUserConfiguration(OwnInfrastructure.class).run((context) -> {
			assertThat(context).hasSingleBean(TiercacheOperationSource.class)
				.hasSingleBean(TiercacheAdvisor.class)
				.hasSingleBean(TiercacheMethodValidator.class)
				.hasSingleBean(WriteBehindRegistrar.class);
			assertThat(context.getBeanNamesForType(TiercacheOperationSource.class)).containsExactly("ownOperations");
			assertThat(context.getBeanNamesForType(TiercacheAdvisor.class)).containsExactly("ownAdvisor");
			assertThat(context.getBeanNamesForType(TiercacheMethodValidator.class)).containsExactly("ownValidator");
			assertThat(context.getBeanNamesForType(WriteBehindRegistrar.class)).containsExactly("ownRegistrar");
		});
	}

	@Test
	void customizersShapeTheManagerAfterThePropertiesInTheirOrder() {
		this.runner.withUserConfiguration(Customizers.class).withPropertyValues("tiercache.key-prefix=from-properties")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.keyPrefix()).as("the later customizer wins over the earlier and the properties")
					.isEqualTo("second");
				assertThat(manager.getCacheNames()).contains("books", "added-by-a-customizer");
				assertThat(manager.getCache("added-by-a-customizer").settings().ttl()).isEqualTo(Duration.ofSeconds(7));
			});
	}

	@Test
	void theApplicationsErrorHandlerIsToldOfTheCachesFailures() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.runner.withUserConfiguration(OwnErrorHandler.class)
			.withPropertyValues("spring.data.redis.port=" + closedPort)
			.run((context) -> {
				TieredCache books = context.getBean(TieredCacheManager.class).getTieredCache("books");
				assertThat(books.get("k", String.class, () -> "loaded")).isEqualTo("loaded");
				assertThat(context.getBean(CacheNamesOfRedisFailures.class).cacheNames).isNotEmpty()
					.containsOnly("books")
					.hasSize((int) books.stats().remoteErrors());
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnInfrastructure {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static TiercacheOperationSource ownOperations() {
			return new TiercacheOperationSource(() -> {
				throw new IllegalStateException("not used by this test");
			}, null);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static TiercacheAdvisor ownAdvisor(TiercacheOperationSource operations) {
			return new TiercacheAdvisor(operations);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static TiercacheMethodValidator ownValidator() {
			return new TiercacheMethodValidator();
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static WriteBehindRegistrar ownRegistrar(TiercacheOperationSource operations) {
			return new WriteBehindRegistrar(operations);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnErrorHandler {

		@Bean
		CacheNamesOfRedisFailures ownErrorHandler() {
			return new CacheNamesOfRedisFailures();
		}

	}

	/** Records the cache of each Redis failure; the rest as the default does. */
	static class CacheNamesOfRedisFailures implements TiercacheErrorHandler {

		final List<String> cacheNames = new CopyOnWriteArrayList<>();

		private final TiercacheErrorHandler logging = TiercacheErrorHandler.logging();

		@Override
		public void onRedisFailure(String cacheName, RuntimeException failure) {
			this.cacheNames.add(cacheName);
		}

		@Override
		public void onRefreshFailure(String cacheName, Object key, Throwable failure) {
			this.logging.onRefreshFailure(cacheName, key, failure);
		}

		@Override
		public void onFailSafeServed(String cacheName, Object key, Throwable failure) {
			this.logging.onFailSafeServed(cacheName, key, failure);
		}

		@Override
		public void onUnreadableEntry(String cacheName, String problem) {
			this.logging.onUnreadableEntry(cacheName, problem);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		@Bean
		@Order(2)
		TieredCacheManagerCustomizer second() {
			return (builder) -> builder.keyPrefix("second");
		}

		@Bean
		@Order(1)
		TieredCacheManagerCustomizer first() {
			return (builder) -> builder.keyPrefix("first")
				.cache("added-by-a-customizer", CacheSettings.DEFAULTS.withTtl(Duration.ofSeconds(7)));
		}

	}

}
