package dev.tiercache.autoconfigure;

import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.jspecify.annotations.Nullable;

import dev.tiercache.autoconfigure.TiercacheProperties.Breaker;
import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * Maps {@code tiercache.redis.breaker.*} onto a resilience4j {@link CircuitBreakerConfig} over
 * {@link RedisCircuitBreaker#defaults() Tiercache's defaults}. resilience4j checks each value; one it
 * refuses fails with an {@link InvalidTiercachePropertyException} naming its property.
 */
final class BreakerConfigBinder {

	private static final String PREFIX = "tiercache.redis.breaker.";

	private BreakerConfigBinder() {
	}

	/** The breaker's settings, or {@code null} when the breaker is disabled. */
	static @Nullable CircuitBreakerConfig config(Breaker properties) {
		if (!properties.isEnabled()) {
			return null;
		}
		CircuitBreakerConfig.Builder builder = RedisCircuitBreaker.defaults();
		set("failure-rate-threshold", properties.getFailureRateThreshold(), builder::failureRateThreshold);
		set("slow-call-rate-threshold", properties.getSlowCallRateThreshold(), builder::slowCallRateThreshold);
		set("slow-call-duration-threshold", properties.getSlowCallDurationThreshold(),
				builder::slowCallDurationThreshold);
		set("sliding-window-size", properties.getSlidingWindowSize(), builder::slidingWindowSize);
		set("minimum-number-of-calls", properties.getMinimumNumberOfCalls(), builder::minimumNumberOfCalls);
		set("wait-duration-in-open-state", properties.getWaitDurationInOpenState(), builder::waitDurationInOpenState);
		set("permitted-number-of-calls-in-half-open-state", properties.getPermittedNumberOfCallsInHalfOpenState(),
				builder::permittedNumberOfCallsInHalfOpenState);
		return builder.build();
	}

	private static <T> void set(String property, T value, Consumer<T> setter) {
		try {
			setter.accept(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidTiercachePropertyException(PREFIX + property, value, ex.getMessage());
		}
	}

}
