package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code tiercache.defaults.bulkhead.*} and {@code tiercache.caches.<name>.bulkhead.*} into each
 * cache's load bulkhead and new-key limit: a cache's own value, else the defaults'; no bulkhead while
 * {@code max-concurrent-loads} is 0, no limit while {@code max-new-keys-per-second} is 0. Values out of
 * range fail start-up naming the property.
 */
final class LoadBulkheadBinder {

	private LoadBulkheadBinder() {
	}

	/**
	 * @throws InvalidTiercachePropertyException if a bound is negative or a wait negative, for the
	 * defaults or a declared cache
	 */
	static Function<String, @Nullable BulkheadConfig> bulkheads(TiercacheProperties properties) {
		CacheSpec.Bulkhead defaults = checked(properties);
		return (name) -> {
			CacheSpec.Bulkhead own = own(properties, name);
			Integer bound = or((own != null) ? own.getMaxConcurrentLoads() : null, defaults.getMaxConcurrentLoads(), 0);
			return (bound > 0)
					? BulkheadConfig.custom().maxConcurrentCalls(bound).maxWaitDuration(wait(own, defaults)).build()
					: null;
		};
	}

	/**
	 * @throws InvalidTiercachePropertyException if a limit is negative or a wait negative, for the
	 * defaults or a declared cache
	 */
	static Function<String, @Nullable RateLimiterConfig> newKeyLimits(TiercacheProperties properties) {
		CacheSpec.Bulkhead defaults = checked(properties);
		return (name) -> {
			CacheSpec.Bulkhead own = own(properties, name);
			Integer perSecond = or((own != null) ? own.getMaxNewKeysPerSecond() : null,
					defaults.getMaxNewKeysPerSecond(), 0);
			return (perSecond > 0) ? RateLimiterConfig.custom()
				.limitForPeriod(perSecond)
				.limitRefreshPeriod(Duration.ofSeconds(1))
				.timeoutDuration(wait(own, defaults))
				.build() : null;
		};
	}

	/** Checks the defaults' and every declared cache's settings, and returns the defaults'. */
	private static CacheSpec.Bulkhead checked(TiercacheProperties properties) {
		CacheSpec.Bulkhead defaults = properties.getDefaults().getBulkhead();
		check("tiercache.defaults.bulkhead", defaults);
		for (Map.Entry<String, CacheSpec> cache : properties.getCaches().entrySet()) {
			check("tiercache.caches." + cache.getKey() + ".bulkhead", cache.getValue().getBulkhead());
		}
		return defaults;
	}

	private static CacheSpec.@Nullable Bulkhead own(TiercacheProperties properties, String name) {
		CacheSpec spec = properties.getCaches().get(name);
		return (spec != null) ? spec.getBulkhead() : null;
	}

	private static Duration wait(CacheSpec.@Nullable Bulkhead own, CacheSpec.Bulkhead defaults) {
		return or((own != null) ? own.getMaxWait() : null, defaults.getMaxWait(), Duration.ZERO);
	}

	private static void check(String path, CacheSpec.Bulkhead bulkhead) {
		Integer bound = bulkhead.getMaxConcurrentLoads();
		if (bound != null && bound < 0) {
			throw new InvalidTiercachePropertyException(path + ".max-concurrent-loads", bound,
					"must be zero (no bound) or positive");
		}
		Integer perSecond = bulkhead.getMaxNewKeysPerSecond();
		if (perSecond != null && perSecond < 0) {
			throw new InvalidTiercachePropertyException(path + ".max-new-keys-per-second", perSecond,
					"must be zero (no limit) or positive");
		}
		Duration wait = bulkhead.getMaxWait();
		if (wait != null && wait.isNegative()) {
			throw new InvalidTiercachePropertyException(path + ".max-wait", wait, "must be zero or positive");
		}
	}

	private static <T> T or(@Nullable T own, @Nullable T defaults, T builtIn) {
		return (own != null) ? own : (defaults != null) ? defaults : builtIn;
	}

}
