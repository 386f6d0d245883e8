package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.tiercache.autoconfigure.TiercacheProperties.CacheSpec;
import dev.tiercache.tier.CacheSettings;

/**
 * Turns {@link TiercacheProperties} into validated {@link CacheSettings}, one per declared cache:
 * {@code tiercache.defaults.*} over the built-in defaults, then {@code tiercache.caches.<name>.*}.
 * A value out of range fails with an {@link InvalidTiercachePropertyException} naming its property.
 */
final class CacheSettingsBinder {

	private CacheSettingsBinder() {
	}

	static Map<String, CacheSettings> bind(TiercacheProperties properties) {
		CacheSettings defaults = apply(CacheSettings.DEFAULTS, properties.getDefaults(), "tiercache.defaults");
		Set<String> names = new LinkedHashSet<>(properties.getCacheNames());
		names.addAll(properties.getCaches().keySet());
		Map<String, CacheSettings> settings = new LinkedHashMap<>();
		for (String name : names) {
			if (name.isBlank()) {
				throw new InvalidTiercachePropertyException("tiercache.cache-names", name, "cache names must not be blank");
			}
			CacheSpec spec = properties.getCaches().get(name);
			settings.put(name, (spec != null) ? apply(defaults, spec, "tiercache.caches." + name) : defaults);
		}
		return settings;
	}

	private static CacheSettings apply(CacheSettings base, CacheSpec spec, String path) {
		CacheSettings settings = base;
		if (spec.getMode() != null) {
			settings = settings.withMode(spec.getMode());
		}
		settings = with(settings, spec.getTtl(), path + ".ttl", positive(), settings::withTtl);
		settings = with(settings, spec.getNullTtl(), path + ".null-ttl", notNegative(), settings::withNullTtl);
		Integer jitter = spec.getTtlJitter();
		if (jitter != null) {
			if (jitter < 0 || jitter > 100) {
				throw new InvalidTiercachePropertyException(path + ".ttl-jitter", jitter,
						"must be a percentage between 0 and 100");
			}
			settings = settings.withTtlJitter(jitter);
		}
		Long maxSize = spec.getLocal().getMaxSize();
		if (maxSize != null) {
			if (maxSize < 0) {
				throw new InvalidTiercachePropertyException(path + ".local.max-size", maxSize, "must be zero or positive");
			}
			settings = settings.withLocalMaxSize(maxSize);
		}
		settings = with(settings, spec.getLocal().getTtl(), path + ".local.ttl", positive(), settings::withLocalTtl);
		settings = with(settings, spec.getLock().getLease(), path + ".lock.lease", positive(), settings::withLockLease);
		return with(settings, spec.getLock().getWait(), path + ".lock.wait", notNegative(), settings::withLockWait);
	}

	private static CacheSettings with(CacheSettings settings, @Nullable Duration value, String property,
			DurationRule rule, Function<Duration, CacheSettings> setter) {
		if (value == null) {
			return settings;
		}
		String problem = rule.check(value);
		if (problem != null) {
			throw new InvalidTiercachePropertyException(property, value, problem);
		}
		return setter.apply(value);
	}

	private static DurationRule positive() {
		return (value) -> (value.isNegative() || value.isZero()) ? "must be positive" : null;
	}

	private static DurationRule notNegative() {
		return (value) -> value.isNegative() ? "must be zero or positive" : null;
	}

	@FunctionalInterface
	private interface DurationRule {

		@Nullable String check(Duration value);

	}

}
