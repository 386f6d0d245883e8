package dev.tiercache.consistency.node;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.ProtocolVersion;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code consistency.coherence=pubsub}, the instance's Redis connections speak RESP2, so that
 * Tiercache keeps L1 coherent through its pub/sub fallback (every instance publishes the keys it
 * changes on a channel) rather than {@code CLIENT TRACKING}: invalidations then come on a connection of
 * their own, apart from the replies.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "consistency.coherence", havingValue = "pubsub")
class PubSubCoherence {

	@Bean
	LettuceClientConfigurationBuilderCustomizer resp2() {
		return (builder) -> builder.clientOptions(
				ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).timeoutOptions(TimeoutOptions.enabled()).build());
	}

}
