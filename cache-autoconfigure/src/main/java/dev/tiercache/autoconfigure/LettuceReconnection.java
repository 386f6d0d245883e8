package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Caps how long Lettuce waits between attempts to reconnect ({@code tiercache.redis.max-reconnect-delay}),
 * so that caches get Redis, and L1 its invalidations, back soon after an outage ends. Lettuce doubles
 * its delay up to 30 s by default, so after a long outage it could take 30 s more to notice Redis was
 * back. Applies only to the client resources Spring Boot builds.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(ClientResources.class)
class LettuceReconnection {

	@Bean
	@ConditionalOnMissingBean(name = "tiercacheReconnectDelay")
	ClientResourcesBuilderCustomizer tiercacheReconnectDelay(TiercacheProperties properties) {
		Duration max = properties.getRedis().getMaxReconnectDelay();
		return (builder) -> {
			if (!max.isZero() && !max.isNegative()) {
				builder.reconnectDelay(Delay.exponential(Duration.ofMillis(1), max, 2, TimeUnit.MILLISECONDS));
			}
		};
	}

}
