package dev.tiercache.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tiercache.tracing.ObservationCacheTracer;

/**
 * Traces the auto-configured caches' loads and write-behind flushes as Micrometer observations
 * ({@link ObservationCacheTracer}) when the application has an {@link ObservationRegistry} (Spring Boot
 * declares one with Actuator): a trace then shows the time a request spent loading a missed key, under
 * the request's own observation. Define a {@link TieredCacheManagerCustomizer} named
 * {@code tiercacheTracing} to trace otherwise, or none at all.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ ObservationRegistry.class, ObservationCacheTracer.class })
class TiercacheTracing {

	@Bean
	@ConditionalOnMissingBean(name = "tiercacheTracing")
	TieredCacheManagerCustomizer tiercacheTracing(ObjectProvider<ObservationRegistry> registry) {
		return (builder) -> registry
			.ifUnique((observations) -> builder.tracer(new ObservationCacheTracer(observations)));
	}

}
