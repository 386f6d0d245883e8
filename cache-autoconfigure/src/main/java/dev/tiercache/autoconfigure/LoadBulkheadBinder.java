package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code tiercache.defaults.bulkhead.*} and {@code tiercache.caches.<name>.bulkhead.*} into each
 * cache's load bulkhead: a cache's own value, else the defaults'; no bulkhead while
 * {@code max-concurrent-loads} is 0. Values out of range fail start-up naming the property.
 */
final class LoadBulkheadBinder {

	private LoadBulkheadBinder() {
	}

	/**
	 * @throws InvalidTiercachePropertyException if a bound is negative or a wait negative, for the
	 * defaults or a declared cache
	 */
	static Function<String, @Nullable BulkheadConfig> bulkheads(TiercacheProperties properties) {
		CacheSpec.Bulkhead defaults = properties.getDefaults().getBulkhead();
		check("tiercache.defaults.bulkhead", defaults);
		for (Map.Entry<String, CacheSpec> cache : properties.getCaches().entrySet()) {
			check("tiercache.caches." + cache.getKey() + ".bulkhead", cache.getValue().getBulkhead());
		}
		return (name) -> {
			CacheSpec spec = properties.getCaches().get(name);
			CacheSpec.Bulkhead own = (spec != null) ? spec.getBulkhead() : null;
			Integer bound = or((own != null) ? own.getMaxConcurrentLoads() : null, defaults.getMaxConcurrentLoads(), 0);
			Duration wait = or((own != null) ? own.getMaxWait() : null, defaults.getMaxWait(), Duration.ZERO);
			return (bound > 0) ? BulkheadConfig.custom().maxConcurrentCalls(bound).maxWaitDuration(wait).build() : null;
		};
	}

	private static void check(String path, CacheSpec.Bulkhead bulkhead) {
		Integer bound = bulkhead.getMaxConcurrentLoads();
		if (bound != null && bound < 0) {
			throw new InvalidTiercachePropertyException(path + ".max-concurrent-loads", bound,
					"must be zero (no bound) or positive");
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
