package dev.tiercache.autoconfigure.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tiercache.autoconfigure.TiercacheAutoConfiguration;
import dev.tiercache.autoconfigure.warming.CacheWarming;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * The {@code tiercache} Actuator endpoint and health contributor, for a {@link TieredCacheManager}.
 */
@AutoConfiguration(after = TiercacheAutoConfiguration.class)
@ConditionalOnBean(TieredCacheManager.class)
public final class TiercacheActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(TiercacheEndpoint.class)
	@EnableConfigurationProperties(TiercacheEndpointProperties.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TiercacheEndpoint tiercacheEndpoint(TieredCacheManager cacheManager, ObjectProvider<WriteBehindQueues> queues,
				TiercacheEndpointProperties properties, ApplicationEventPublisher events,
				ObjectProvider<CacheWarming> warming) {
			return new TiercacheEndpoint(cacheManager, queues.getIfUnique(), properties.getShowKeys(),
					properties.getRoles(), events, warming.getIfUnique());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("tiercache")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "tiercacheHealthIndicator")
		TiercacheHealthIndicator tiercacheHealthIndicator(TieredCacheManager cacheManager,
				ObjectProvider<WriteBehindQueues> queues) {
			return new TiercacheHealthIndicator(cacheManager, queues.getIfUnique());
		}

	}

}
