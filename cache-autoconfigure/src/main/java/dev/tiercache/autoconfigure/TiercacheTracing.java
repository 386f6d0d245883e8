package dev.tiercache.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import dev.tiercache.tracing.ObservationCacheTracer;

/**
 * Traces the auto-configured caches' loads, calls to Redis and write-behind flushes as Micrometer
 * observations ({@link ObservationCacheTracer}) when the application has an {@link ObservationRegistry}
 * (Spring Boot declares one with Actuator): a trace then shows where a request's time went (the Redis
 * calls, the load of a missed key), under the request's own observation. It is applied before every
 * other {@link TieredCacheManagerCustomizer}, so one of the application's that sets a tracer wins; one
 * named {@code tiercacheTracing} replaces it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ ObservationRegistry.class, ObservationCacheTracer.class })
class TiercacheTracing {

	/** Applied first, so that any customizer of the application's that sets a tracer wins. */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	@ConditionalOnMissingBean(name = "tiercacheTracing")
	TieredCacheManagerCustomizer tiercacheTracing(ObjectProvider<ObservationRegistry> registry) {
		return (builder) -> registry
			.ifUnique((observations) -> builder.tracer(new ObservationCacheTracer(observations)));
	}

}
