package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Configuration properties of Tiercache ({@code tiercache.*}). Per-cache settings ({@link CacheSpec}) are
 * read from {@code tiercache.defaults.*}, and each cache named under {@code tiercache.caches.<name>}
 * overrides the ones it sets.
 */
@ConfigurationProperties("tiercache")
public class TiercacheProperties {

	/**
	 * Whether to auto-configure Tiercache.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every Redis key Tiercache writes; may not contain ':', '{' or '}'. Defaults to
	 * 'spring.application.name' with those characters replaced by '-', or 'tiercache' when that is not
	 * set.
	 */
	private @Nullable String keyPrefix;

	/**
	 * Whether caches that are not declared are created on first use with the defaults, as Spring's
	 * own cache managers do. When false, an undeclared cache name fails at start-up for
	 * '@CacheAside' and at the call for '@Cacheable'.
	 */
	private boolean dynamic = true;

	/**
	 * How Spring's own cache annotations run on Tiercache's caches: 'fast' takes Tiercache's fast path for
	 * a method whose only cache operation is one '@Cacheable', '@CachePut' or '@CacheEvict' on one
	 * Tiercache cache (Spring's semantics, typed values whatever CachingConfigurer the application
	 * declares), and leaves every other method to Spring's interceptor; 'spring' leaves every method to
	 * Spring's interceptor.
	 */
	private SpringAnnotations springAnnotations = SpringAnnotations.FAST;

	/**
	 * Names of caches that use the default settings. Caches with settings of their own are declared
	 * under 'tiercache.caches' instead.
	 */
	private List<String> cacheNames = new ArrayList<>();

	/**
	 * Largest encoded value stored in Redis; larger values are not cached (the call still succeeds).
	 */
	private DataSize maxValueSize = DataSize.ofBytes(TieredCacheManager.DEFAULT_MAX_VALUE_BYTES);

	private final Redis redis = new Redis();

	private final Serialization serialization = new Serialization();

	private final NeverCache neverCache = new NeverCache();

	private final Encryption encryption = new Encryption();

	private final Warming warming = new Warming();

	/**
	 * Settings of every cache unless overridden under 'tiercache.caches'.
	 */
	@NestedConfigurationProperty
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

	public SpringAnnotations getSpringAnnotations() {
		return this.springAnnotations;
	}

	public void setSpringAnnotations(SpringAnnotations springAnnotations) {
		this.springAnnotations = springAnnotations;
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

	public Encryption getEncryption() {
		return this.encryption;
	}

	public NeverCache getNeverCache() {
		return this.neverCache;
	}

	public Warming getWarming() {
		return this.warming;
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
		private Duration timeout = TieredCacheManager.DEFAULT_REDIS_TIMEOUT;

		/**
		 * The longest wait between two attempts of Lettuce to reconnect to Redis (its delay doubles from
		 * 1 ms up to this). Lettuce's own cap is 30 s, which after a long outage left caches without
		 * Redis, and L1 without invalidations, for up to 30 s after Redis was back. Applies when Spring
		 * Boot builds the Lettuce client resources; set to 0 to keep Lettuce's default.
		 */
		private Duration maxReconnectDelay = Duration.ofSeconds(1);

		/**
		 * Where entries' values are read from, as Lettuce's ReadFrom names it ('replica-preferred',
		 * 'any-replica', 'lowest-latency', 'regex:...', ...); unset reads everything from the primary.
		 * Leases, writes and namespace versions always go to the primary, and a key changed in the last
		 * two seconds is read from the primary too. A replica's answer may lag the primary's by its
		 * replication lag.
		 */
		private @Nullable String readFrom;

		private final Breaker breaker = new Breaker();

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getMaxReconnectDelay() {
			return this.maxReconnectDelay;
		}

		public void setMaxReconnectDelay(Duration maxReconnectDelay) {
			this.maxReconnectDelay = maxReconnectDelay;
		}

		public @Nullable String getReadFrom() {
			return this.readFrom;
		}

		public void setReadFrom(@Nullable String readFrom) {
			this.readFrom = readFrom;
		}

		public Breaker getBreaker() {
			return this.breaker;
		}

	}

	/**
	 * The circuit breaker in front of Redis (resilience4j): once enough of the recent Redis calls
	 * failed or were slow, Tiercache stops calling Redis, serves from L1 and the loaders, probes Redis
	 * in the background, and clears L1 and replays missed deletes when Redis answers again.
	 */
	public static class Breaker {

		private static final CircuitBreakerConfig DEFAULTS = RedisCircuitBreaker.defaults().build();

		/**
		 * Whether to stop calling Redis while it fails or is slow. When false, every call goes to Redis
		 * and waits up to 'tiercache.redis.timeout' however Redis fares.
		 */
		private boolean enabled = true;

		/**
		 * Percentage of failed calls (errors, timeouts, Redis unreachable) among the recent ones at
		 * which the breaker opens.
		 */
		private float failureRateThreshold = DEFAULTS.getFailureRateThreshold();

		/**
		 * Percentage of slow calls among the recent ones at which the breaker opens.
		 */
		private float slowCallRateThreshold = DEFAULTS.getSlowCallRateThreshold();

		/**
		 * How long a call may take before it counts as slow. The default is above a client GC
		 * pause and below the default timeout.
		 */
		private Duration slowCallDurationThreshold = DEFAULTS.getSlowCallDurationThreshold();

		/**
		 * How many of the most recent calls the rates are computed over.
		 */
		private int slidingWindowSize = DEFAULTS.getSlidingWindowSize();

		/**
		 * How many calls must be recorded before the rates are judged.
		 */
		private int minimumNumberOfCalls = DEFAULTS.getMinimumNumberOfCalls();

		/**
		 * How long the breaker stays open before Redis is probed, and between failed probes.
		 */
		private Duration waitDurationInOpenState = Duration
			.ofMillis(DEFAULTS.getWaitIntervalFunctionInOpenState().apply(1));

		/**
		 * How many background PINGs must pass (at the rates above) for the breaker to close.
		 */
		private int permittedNumberOfCallsInHalfOpenState = DEFAULTS.getPermittedNumberOfCallsInHalfOpenState();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public float getFailureRateThreshold() {
			return this.failureRateThreshold;
		}

		public void setFailureRateThreshold(float failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
		}

		public float getSlowCallRateThreshold() {
			return this.slowCallRateThreshold;
		}

		public void setSlowCallRateThreshold(float slowCallRateThreshold) {
			this.slowCallRateThreshold = slowCallRateThreshold;
		}

		public Duration getSlowCallDurationThreshold() {
			return this.slowCallDurationThreshold;
		}

		public void setSlowCallDurationThreshold(Duration slowCallDurationThreshold) {
			this.slowCallDurationThreshold = slowCallDurationThreshold;
		}

		public int getSlidingWindowSize() {
			return this.slidingWindowSize;
		}

		public void setSlidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
		}

		public int getMinimumNumberOfCalls() {
			return this.minimumNumberOfCalls;
		}

		public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
			this.minimumNumberOfCalls = minimumNumberOfCalls;
		}

		public Duration getWaitDurationInOpenState() {
			return this.waitDurationInOpenState;
		}

		public void setWaitDurationInOpenState(Duration waitDurationInOpenState) {
			this.waitDurationInOpenState = waitDurationInOpenState;
		}

		public int getPermittedNumberOfCallsInHalfOpenState() {
			return this.permittedNumberOfCallsInHalfOpenState;
		}

		public void setPermittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
			this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
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
	 * Values Tiercache must never cache, besides types and fields marked '@NeverCache': a method that
	 * would cache one fails start-up.
	 */
	public static class NeverCache {

		/**
		 * Patterns of class names ('*' matches any run of characters), such as 'com.acme.secrets.*'.
		 */
		private List<String> types = new ArrayList<>();

		/**
		 * Patterns of field names, compared ignoring case ('*' matches any run of characters), such as
		 * '*password*' or 'ssn'.
		 */
		private List<String> fields = new ArrayList<>();

		public List<String> getTypes() {
			return this.types;
		}

		public void setTypes(List<String> types) {
			this.types = types;
		}

		public List<String> getFields() {
			return this.fields;
		}

		public void setFields(List<String> fields) {
			this.fields = fields;
		}

	}

	/**
	 * The warming of caches once the application is ready: with the keys the running instances report
	 * hottest, then by the application's @CacheWarmer methods.
	 */
	public static class Warming {

		/**
		 * Whether @CacheWarmer methods run once the application is ready.
		 */
		private boolean enabled = true;

		/**
		 * How many calls of cached methods warming makes at a time.
		 */
		private int concurrency = 4;

		/**
		 * How many of the keys the running instances report hottest to warm each cache with, through the
		 * one @CacheAside method that fills it when it is keyed by its one parameter, before the
		 * @CacheWarmer methods; 0 (the default) for none, since it calls the application's cached methods at
		 * start-up. Above 0 the instance also reports its own hot keys every 10 s, so set it on every
		 * instance.
		 */
		private int hotKeys;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getHotKeys() {
			return this.hotKeys;
		}

		public void setHotKeys(int hotKeys) {
			this.hotKeys = hotKeys;
		}

	}

	/**
	 * The keys of the caches whose values are encrypted in Redis ('tiercache.caches.<name>.encryption'
	 * or 'tiercache.defaults.encryption').
	 */
	public static class Encryption {

		/**
		 * AES keys (16, 24 or 32 bytes, Base64-encoded) by id. Values written with any of them are read;
		 * drop a key once the entries written with it have expired.
		 */
		private Map<String, String> keys = new LinkedHashMap<>();

		/**
		 * The id of the key new values are encrypted with.
		 */
		private @Nullable String currentKey;

		public Map<String, String> getKeys() {
			return this.keys;
		}

		public void setKeys(Map<String, String> keys) {
			this.keys = keys;
		}

		public @Nullable String getCurrentKey() {
			return this.currentKey;
		}

		public void setCurrentKey(@Nullable String currentKey) {
			this.currentKey = currentKey;
		}

	}

	/** How Spring's own cache annotations run on Tiercache's caches. */
	public enum SpringAnnotations {

		/** Tiercache's fast path where it applies, Spring's interceptor elsewhere. */
		FAST,

		/** Spring's interceptor for every method. */
		SPRING

	}

}
