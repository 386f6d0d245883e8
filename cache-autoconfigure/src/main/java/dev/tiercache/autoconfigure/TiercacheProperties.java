package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.Durability;

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
		private Duration timeout = TieredCacheManager.DEFAULT_REDIS_TIMEOUT;

		/**
		 * The longest wait between two attempts of Lettuce to reconnect to Redis (its delay doubles from
		 * 1 ms up to this). Lettuce's own cap is 30 s, which after a long outage left caches without
		 * Redis, and L1 without invalidations, for up to 30 s after Redis was back. Applies when Spring
		 * Boot builds the Lettuce client resources; set to 0 to keep Lettuce's default.
		 */
		private Duration maxReconnectDelay = Duration.ofSeconds(1);

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
	 * Settings of one cache; an unset value is inherited from 'tiercache.defaults'.
	 */
	public static class CacheSpec {

		/**
		 * Which tiers the cache uses: 'both' (Caffeine and Redis), 'local' (Caffeine only) or 'remote'
		 * (Redis only).
		 */
		private @Nullable CacheMode mode;

		/**
		 * How long an entry lives in Redis.
		 */
		private @Nullable Duration ttl;

		/**
		 * Percentage (0 to 100) by which each entry's TTL is randomly shortened, so that entries
		 * written together do not expire together.
		 */
		private @Nullable Integer ttlJitter;

		/**
		 * How long a null result is cached; 0 caches no null.
		 */
		private @Nullable Duration nullTtl;

		/**
		 * Fraction of the TTL (above 0, below 1, such as 0.8) after which a read returns the entry at
		 * once and reloads it in the background, once across all instances.
		 */
		private @Nullable Double refreshAhead;

		/**
		 * For how long after its TTL an entry is still returned at once while one instance reloads it;
		 * Redis keeps entries this much longer.
		 */
		private @Nullable Duration staleWhileRevalidate;

		/**
		 * XFetch's beta: each read may reload an entry early, in the background, with a probability
		 * that grows as its expiry nears, weighted by how long it took to load (1 is the usual value).
		 */
		private @Nullable Double earlyExpiryBeta;

		/**
		 * For how long after its TTL an entry is returned when the loader throws, instead of the
		 * exception (counted). Unset, it is the stale-while-revalidate window; 0 turns it off.
		 */
		private @Nullable Duration failSafe;

		private final Local local = new Local();

		private final Lock lock = new Lock();

		private final WriteBehind writeBehind = new WriteBehind();

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

		public @Nullable Double getRefreshAhead() {
			return this.refreshAhead;
		}

		public void setRefreshAhead(@Nullable Double refreshAhead) {
			this.refreshAhead = refreshAhead;
		}

		public @Nullable Duration getStaleWhileRevalidate() {
			return this.staleWhileRevalidate;
		}

		public void setStaleWhileRevalidate(@Nullable Duration staleWhileRevalidate) {
			this.staleWhileRevalidate = staleWhileRevalidate;
		}

		public @Nullable Double getEarlyExpiryBeta() {
			return this.earlyExpiryBeta;
		}

		public void setEarlyExpiryBeta(@Nullable Double earlyExpiryBeta) {
			this.earlyExpiryBeta = earlyExpiryBeta;
		}

		public @Nullable Duration getFailSafe() {
			return this.failSafe;
		}

		public void setFailSafe(@Nullable Duration failSafe) {
			this.failSafe = failSafe;
		}

		public Local getLocal() {
			return this.local;
		}

		public WriteBehind getWriteBehind() {
			return this.writeBehind;
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
		 * Most entries the in-JVM tier holds.
		 */
		private @Nullable Long maxSize;

		/**
		 * How long an entry lives in the in-JVM tier when Redis is also used; bounds how stale an
		 * instance can be after another changes a value.
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
		 * how long others wait for an instance that died mid-load.
		 */
		private @Nullable Duration lease;

		/**
		 * How long a caller waits for another caller's load (in this JVM or on another instance)
		 * before loading itself.
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

	/**
	 * Write-behind queue of a cache ('@WriteBehind'); an unset value is inherited from
	 * 'tiercache.defaults.write-behind'.
	 */
	public static class WriteBehind {

		/**
		 * How many queue entries the flusher reads at once per partition (1 to 1000).
		 */
		private @Nullable Integer batchSize;

		/**
		 * How often idle partitions are polled for new entries.
		 */
		private @Nullable Duration flushInterval;

		/**
		 * How many flusher threads each instance runs for the cache.
		 */
		private @Nullable Integer concurrency;

		/**
		 * How many streams the queue is split into by key hash; keys of one partition are applied in
		 * order, partitions in parallel. Every instance must use the same number.
		 */
		private @Nullable Integer partitions;

		/**
		 * How many times a failing write is tried before it moves to the dead-letter stream.
		 */
		private @Nullable Integer maxAttempts;

		/**
		 * Wait before the first retry of a failing write; it doubles at each retry, with jitter.
		 */
		private @Nullable Duration backoff;

		/**
		 * Longest wait between two retries.
		 */
		private @Nullable Duration maxBackoff;

		/**
		 * How long a partition's owner may stay silent before another instance takes the partition over
		 * and applies the entries it read but did not acknowledge: the owner's lease, renewed every third
		 * of it by a thread of its own however long a call runs. An instance paused or cut off from Redis
		 * for longer loses its partitions.
		 */
		private @Nullable Duration claimIdle;

		/**
		 * How long shutdown waits for this instance's partitions to drain; what is left stays in Redis
		 * for another instance.
		 */
		private @Nullable Duration drainTimeout;

		/**
		 * What a call waits for before it returns: 'memory' (the entry is in the Redis primary),
		 * 'replica' (also on 'durability-replicas' replicas, WAIT) or 'aof' (also in the primary's
		 * append-only file, WAITAOF, Redis 7.2+). When not confirmed in time, the call waits up to
		 * 'durability-timeout' more for a flusher to apply it, and is refused otherwise.
		 */
		private @Nullable Durability durability;

		/**
		 * How many replicas must have the entry with durability 'replica'.
		 */
		private @Nullable Integer durabilityReplicas;

		/**
		 * How long a call waits for the durability confirmation (and, without it, as long again for a
		 * flusher to apply it).
		 */
		private @Nullable Duration durabilityTimeout;

		public @Nullable Integer getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(@Nullable Integer batchSize) {
			this.batchSize = batchSize;
		}

		public @Nullable Duration getFlushInterval() {
			return this.flushInterval;
		}

		public void setFlushInterval(@Nullable Duration flushInterval) {
			this.flushInterval = flushInterval;
		}

		public @Nullable Integer getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(@Nullable Integer concurrency) {
			this.concurrency = concurrency;
		}

		public @Nullable Integer getPartitions() {
			return this.partitions;
		}

		public void setPartitions(@Nullable Integer partitions) {
			this.partitions = partitions;
		}

		public @Nullable Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(@Nullable Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public @Nullable Duration getBackoff() {
			return this.backoff;
		}

		public void setBackoff(@Nullable Duration backoff) {
			this.backoff = backoff;
		}

		public @Nullable Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(@Nullable Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public @Nullable Duration getClaimIdle() {
			return this.claimIdle;
		}

		public void setClaimIdle(@Nullable Duration claimIdle) {
			this.claimIdle = claimIdle;
		}

		public @Nullable Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(@Nullable Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public @Nullable Durability getDurability() {
			return this.durability;
		}

		public void setDurability(@Nullable Durability durability) {
			this.durability = durability;
		}

		public @Nullable Integer getDurabilityReplicas() {
			return this.durabilityReplicas;
		}

		public void setDurabilityReplicas(@Nullable Integer durabilityReplicas) {
			this.durabilityReplicas = durabilityReplicas;
		}

		public @Nullable Duration getDurabilityTimeout() {
			return this.durabilityTimeout;
		}

		public void setDurabilityTimeout(@Nullable Duration durabilityTimeout) {
			this.durabilityTimeout = durabilityTimeout;
		}

	}

}
