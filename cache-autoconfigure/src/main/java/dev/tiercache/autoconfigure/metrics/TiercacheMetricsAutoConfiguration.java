package dev.tiercache.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tiercache.autoconfigure.TiercacheAutoConfiguration;
import dev.tiercache.metrics.TiercacheMetrics;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * Micrometer meters for Tiercache: the {@code tiercache.*} meters of {@link TiercacheMetrics}, bound to
 * the application's registries by Spring Boot, and a {@link CacheMeterBinderProvider} so that Boot's
 * own cache metrics ({@code cache.gets} and the rest) cover {@link TieredCache}s too.
 */
@AutoConfiguration(after = TiercacheAutoConfiguration.class)
@ConditionalOnClass({ MeterRegistry.class, TiercacheMetrics.class })
@ConditionalOnBean(TieredCacheManager.class)
public final class TiercacheMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TiercacheMetrics tiercacheMetrics(TieredCacheManager cacheManager, ObjectProvider<WriteBehindQueues> queues) {
		return new TiercacheMetrics(cacheManager, queues.getIfUnique());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(CacheMeterBinderProvider.class)
	static class BootCacheMetrics {

		@Bean
		@ConditionalOnMissingBean(name = "tieredCacheMeterBinderProvider")
		CacheMeterBinderProvider<TieredCache> tieredCacheMeterBinderProvider() {
			return TieredCacheMeterBinder::new;
		}

	}

}
