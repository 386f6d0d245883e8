package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.tiercache.tier.CacheMode;

/**
 * Configuration properties of Tiercache ({@code tiercache.*}). Per-cache settings are read from
 * {@code tiercache.defaults.*}, and each cache named under {@code tiercache.caches.<name>} overrides
 * the ones it sets.
 */
@ConfigurationProperties("tiercache")
public class TiercacheProperties {

	/**
	 * Whether to auto-configure Tiercache.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every Redis key Tiercache writes. Defaults to 'spring.application.name', or
	 * 'tiercache' when that is not set.
	 */
	private @Nullable String keyPrefix;

	/**
	 * Whether caches that are not declared are created on first use with the defaults, as Spring's
	 * own cache managers do. When false, an undeclared cache name fails at start-up for
	 * '@CacheAside' and at the call for '@Cacheable'.
	 */
	private boolean dynamic = true;

	/**
	 * Names of caches that use the default settings. Caches with settings of their own are declared
	 * under 'tiercache.caches' instead.
	 */
	private List<String> cacheNames = new ArrayList<>();

	/**
	 * Largest encoded value stored in Redis; larger values are not cached (the call still succeeds).
	 */
	private DataSize maxValueSize = DataSize.ofMegabytes(1);

	private final Redis redis = new Redis();

	private final Serialization serialization = new Serialization();

	/**
	 * Settings of every cache unless overridden under 'tiercache.caches'.
	 */
	private final CacheSpec defaults = new CacheSpec();

	/**
	 * Per-cache overrides of the defaults, by cache name.
	 */
	private final Map<String, CacheSpec> caches = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public @Nullable String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(@Nullable String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public List<String> getCacheNames() {
		return this.cacheNames;
	}

	public void setCacheNames(List<String> cacheNames) {
		this.cacheNames = cacheNames;
	}

	public DataSize getMaxValueSize() {
		return this.maxValueSize;
	}

	public void setMaxValueSize(DataSize maxValueSize) {
		this.maxValueSize = maxValueSize;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Serialization getSerialization() {
		return this.serialization;
	}

	public CacheSpec getDefaults() {
		return this.defaults;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	/**
	 * How Tiercache talks to Redis.
	 */
	public static class Redis {

		/**
		 * How long one Redis call may take before it counts as failed and the cache falls back to the
		 * loader.
		 */
		private Duration timeout = Duration.ofMillis(250);

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Java serialization, used for values that do not round-trip through JSON.
	 */
	public static class Serialization {

		/**
		 * Packages (with their sub-packages) whose classes may be read back from Java-serialized cache
		 * entries, besides the application's own packages, java.lang, java.util, java.time, java.math
		 * and Spring Data's domain types.
		 */
		private List<String> allowedPackages = new ArrayList<>();

		public List<String> getAllowedPackages() {
			return this.allowedPackages;
		}

		public void setAllowedPackages(List<String> allowedPackages) {
			this.allowedPackages = allowedPackages;
		}

	}

	/**
	 * Settings of one cache; an unset value is inherited from 'tiercache.defaults'.
	 */
	public static class CacheSpec {

		/**
		 * Which tiers the cache uses: 'both' (Caffeine and Redis), 'local' (Caffeine only) or 'remote'
		 * (Redis only). Default: both.
		 */
		private @Nullable CacheMode mode;

		/**
		 * How long an entry lives in Redis. Default: 10m.
		 */
		private @Nullable Duration ttl;

		/**
		 * Percentage (0 to 100) by which each entry's TTL is randomly shortened, so that entries
		 * written together do not expire together. Default: 10.
		 */
		private @Nullable Integer ttlJitter;

		/**
		 * How long a null result is cached; 0 caches no null. Default: 1m.
		 */
		private @Nullable Duration nullTtl;

		private final Local local = new Local();

		private final Lock lock = new Lock();

		public @Nullable CacheMode getMode() {
			return this.mode;
		}

		public void setMode(@Nullable CacheMode mode) {
			this.mode = mode;
		}

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		public @Nullable Integer getTtlJitter() {
			return this.ttlJitter;
		}

		public void setTtlJitter(@Nullable Integer ttlJitter) {
			this.ttlJitter = ttlJitter;
		}

		public @Nullable Duration getNullTtl() {
			return this.nullTtl;
		}

		public void setNullTtl(@Nullable Duration nullTtl) {
			this.nullTtl = nullTtl;
		}

		public Local getLocal() {
			return this.local;
		}

		public Lock getLock() {
			return this.lock;
		}

	}

	/**
	 * The in-JVM (Caffeine) tier of a cache.
	 */
	public static class Local {

		/**
		 * Most entries the in-JVM tier holds. Default: 10000.
		 */
		private @Nullable Long maxSize;

		/**
		 * How long an entry lives in the in-JVM tier when Redis is also used; bounds how stale an
		 * instance can be after another changes a value. Default: 30s.
		 */
		private @Nullable Duration ttl;

		public @Nullable Long getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(@Nullable Long maxSize) {
			this.maxSize = maxSize;
		}

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * Stampede control: the per-key lease that lets one instance load a missing value.
	 */
	public static class Lock {

		/**
		 * How long a load lease lasts without renewal; the loading instance renews it, so this bounds
		 * how long others wait for an instance that died mid-load. Default: 10s.
		 */
		private @Nullable Duration lease;

		/**
		 * How long a caller waits for another instance's load before loading itself. Default: 30s.
		 */
		private @Nullable Duration wait;

		public @Nullable Duration getLease() {
			return this.lease;
		}

		public void setLease(@Nullable Duration lease) {
			this.lease = lease;
		}

		public @Nullable Duration getWait() {
			return this.wait;
		}

		public void setWait(@Nullable Duration wait) {
			this.wait = wait;
		}

	}

}
