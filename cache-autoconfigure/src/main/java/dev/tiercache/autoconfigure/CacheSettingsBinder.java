package dev.tiercache.autoconfigure;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.tiercache.guard.GuardSettings;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.writebehind.WriteBehindSettings;

/**
 * Maps {@link TiercacheProperties} onto {@link CacheSettings}: {@code tiercache.defaults.*} over the
 * built-in defaults, then {@code tiercache.caches.<name>.*} per declared cache. The rules live in
 * core; a value they refuse fails with an {@link InvalidTiercachePropertyException} naming its
 * property.
 */
final class CacheSettingsBinder {

	private CacheSettingsBinder() {
	}

	/** The settings of caches that are not declared (and the base of those that are). */
	static CacheSettings defaults(TiercacheProperties properties) {
		return apply(CacheSettings.DEFAULTS, properties.getDefaults(), "tiercache.defaults");
	}

	/** The settings of every declared cache, by name. */
	static Map<String, CacheSettings> declared(TiercacheProperties properties) {
		CacheSettings defaults = defaults(properties);
		Set<String> names = new LinkedHashSet<>(properties.getCacheNames());
		names.addAll(properties.getCaches().keySet());
		Map<String, CacheSettings> settings = new LinkedHashMap<>();
		for (String name : names) {
			CacheSpec spec = properties.getCaches().get(name);
			settings.put(name, (spec != null) ? apply(defaults, spec, "tiercache.caches." + name) : defaults);
		}
		return settings;
	}

	private static CacheSettings apply(CacheSettings base, CacheSpec spec, String path) {
		return mapped(path, () -> {
			CacheSettings laid = base.with(overrides(spec));
			Boolean allowNullValues = spec.getAllowNullValues();
			DataSize threshold = spec.getCompressionThreshold();
			laid = (allowNullValues != null) ? laid.withAllowNullValues(allowNullValues) : laid;
			return (threshold != null) ? laid.withCompressionThreshold(bytes(threshold)) : laid;
		});
	}

	private static CacheSettings.Overrides overrides(CacheSpec spec) {
		return new CacheSettings.Overrides(spec.getMode(), spec.getTtl(), spec.getTtlJitter(), spec.getNullTtl(),
				spec.getLocal().getMaxSize(), spec.getLocal().getTtl(), spec.getLock().getLease(),
				spec.getLock().getWait(), spec.getRefreshAhead(), spec.getStaleWhileRevalidate(),
				spec.getEarlyExpiryBeta(), spec.getFailSafe());
	}

	/** The write-behind settings of caches not declared with their own. */
	static WriteBehindSettings writeBehindDefaults(TiercacheProperties properties) {
		return writeBehind(WriteBehindSettings.DEFAULTS, properties.getDefaults().getWriteBehind(),
				"tiercache.defaults");
	}

	/** The write-behind settings of every declared cache, by name. */
	static Map<String, WriteBehindSettings> declaredWriteBehind(TiercacheProperties properties) {
		WriteBehindSettings defaults = writeBehindDefaults(properties);
		Map<String, WriteBehindSettings> settings = new LinkedHashMap<>();
		properties.getCaches().forEach((name, spec) -> settings.put(name,
				writeBehind(defaults, spec.getWriteBehind(), "tiercache.caches." + name)));
		return settings;
	}

	private static WriteBehindSettings writeBehind(WriteBehindSettings base, CacheSpec.WriteBehind spec,
			String path) {
		return mapped(path, () -> new WriteBehindSettings(or(spec.getBatchSize(), base.batchSize()),
				or(spec.getFlushInterval(), base.flushInterval()), or(spec.getConcurrency(), base.concurrency()),
				or(spec.getPartitions(), base.partitions()), or(spec.getMaxAttempts(), base.maxAttempts()),
				or(spec.getBackoff(), base.backoff()), or(spec.getMaxBackoff(), base.maxBackoff()),
				or(spec.getClaimIdle(), base.claimIdle()), or(spec.getDrainTimeout(), base.drainTimeout()),
				or(spec.getDurability(), base.durability()), or(spec.getDurabilityReplicas(), base.durabilityReplicas()),
				or(spec.getDurabilityTimeout(), base.durabilityTimeout()),
				or(spec.getCoalesceWindow(), base.coalesceWindow())));
	}

	/** The penetration guards of the declared caches that have one ({@code guard.expected-keys} set), by name. */
	static Map<String, GuardSettings> declaredGuards(TiercacheProperties properties) {
		CacheSpec.Guard defaults = properties.getDefaults().getGuard();
		if (defaults.getExpectedKeys() != null) {
			throw new InvalidTiercachePropertyException("tiercache.defaults.guard.expected-keys",
					defaults.getExpectedKeys(), "cannot be a default: set it per cache, on the caches to guard "
							+ "(each needs an @ExistingKeys source)");
		}
		Map<String, GuardSettings> guards = new LinkedHashMap<>();
		properties.getCaches().forEach((name, spec) -> {
			CacheSpec.Guard guard = spec.getGuard();
			Long expectedKeys = guard.getExpectedKeys();
			if (expectedKeys != null) {
				guards.put(name, mapped("tiercache.caches." + name, () -> new GuardSettings(expectedKeys,
						or(guard.getFalsePositiveRate(),
								or(defaults.getFalsePositiveRate(), GuardSettings.DEFAULT_FALSE_POSITIVE_RATE)),
						or(guard.getRefreshInterval(),
								or(defaults.getRefreshInterval(), GuardSettings.DEFAULT_REFRESH_INTERVAL)))));
			}
		});
		return guards;
	}

	/** A size in bytes, capped at the largest an {@code int} holds (values are far smaller). */
	private static int bytes(DataSize size) {
		return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, size.toBytes()));
	}

	private static <T> T or(@Nullable T value, T fallback) {
		return (value != null) ? value : fallback;
	}

	/**
	 * Runs something that may refuse a setting, and names the property under {@code path} if it does.
	 * @throws InvalidTiercachePropertyException for a refused setting
	 */
	static <T> T mapped(String path, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (InvalidSettingException ex) {
			throw new InvalidTiercachePropertyException(path + "." + ex.getSetting(), ex.getValue(), ex.getReason());
		}
	}

}
