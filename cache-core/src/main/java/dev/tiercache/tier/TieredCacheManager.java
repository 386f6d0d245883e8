package dev.tiercache.tier;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.crypto.SecretKey;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.lettuce.core.ReadFrom;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.cache.CacheManager;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.coherence.Coherence;
import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.internal.redis.RedisConnection;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.resilience.RedisConnectionRejectedException;
import dev.tiercache.tier.TiercacheEvent.CacheCreated;
import dev.tiercache.tier.TiercacheEvent.RedisCallsResumed;
import dev.tiercache.tier.TiercacheEvent.RedisCallsStopped;
import dev.tiercache.tracing.CacheTracer;

/**
 * A Spring {@link CacheManager} of {@link TieredCache}s sharing one Redis connection, one lease
 * scheme and one pub/sub subscription. Caches declared on the {@link #builder builder} get their own
 * {@link CacheSettings}; any other name is created on first use with the
 * {@linkplain Builder#defaults default settings}, as Spring's own managers do, unless
 * {@linkplain Builder#dynamic dynamic creation} is off.
 *
 * <p>Cache names must be non-blank and free of {@code :}, <code>{</code>, <code>}</code> and
 * whitespace, which delimit Redis keys. Call {@link #afterPropertiesSet()} before use and
 * {@link #destroy()} at the end (a Spring container does both): the first starts connecting to Redis
 * in the background, the second releases the load leases this instance still holds, so other
 * instances take over at once, and closes the connection.
 *
 * <p>In a Spring container the leases are released, and pending repairs made, when the manager
 * {@linkplain #stop() stops} in phase {@link #PHASE}: after the web server and the write-behind queues
 * (which drain through the caches), and before the Redis connection factory, which stops in phase 0
 * and would otherwise be gone by the time {@link #destroy()} runs. When that stop is part of the
 * container's close, the manager also closes what it holds on Redis then (its connections and breaker):
 * nothing of Tiercache's reconnects, probes or follows the topology while the factory's client shuts
 * down. Thread-safe.
 */
public final class TieredCacheManager
		implements CacheManager, InitializingBean, SmartLifecycle, DisposableBean, ApplicationEventPublisherAware,
		ApplicationContextAware {

	/**
	 * The phase the manager stops in: after the web server and the write-behind queues
	 * ({@code WriteBehindQueues.PHASE}, {@code DEFAULT_PHASE - 4096}), before the Redis connection
	 * factory (phase 0).
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 8192;

	/** How long start-up waits for the Redis connection before going on without it. */
	public static final Duration STARTUP_CONNECT_WAIT = Duration.ofSeconds(2);

	/** The prefix of every Redis key unless {@link Builder#keyPrefix} sets another. */
	public static final String DEFAULT_KEY_PREFIX = "tiercache";

	/** How long Redis calls may take unless {@link Builder#redisTimeout} sets another. */
	public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(250);

	/** The largest encoded value stored in Redis unless {@link Builder#maxValueBytes} sets another. */
	public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

	/** How many background reloads wait at most in the default refresh executor. */
	static final int REFRESH_QUEUE = 1000;

	/** What the caches share: the Redis side, the clock, the executors, the events. */
	private final ManagerResources resources;

	private final CacheRegistry registry;

	/** Whether the container started the manager and has not stopped it. */
	private volatile boolean running;

	/** The container the manager is a bean of, if it is one that can tell whether it is closing. */
	private volatile @Nullable ConfigurableApplicationContext container;

	private TieredCacheManager(Builder builder) {
		this.resources = new ManagerResources(builder);
		this.registry = new CacheRegistry(builder.caches, builder.defaults, builder.dynamic, this.resources::newCache,
				this.resources.events());
	}

	/**
	 * How this instance learns of keys other clients changed, so that its L1 follows them; {@code null}
	 * until the Redis connection was first set up, or when no cache uses Redis.
	 */
	public @Nullable CoherenceMode coherenceMode() {
		Coherence current = this.resources.coherence();
		return (current != null) ? current.mode() : null;
	}

	/** How many changed keys this instance was told of, to drop from L1; 0 when no cache uses Redis. */
	public long invalidationsReceived() {
		Coherence current = this.resources.coherence();
		return (current != null) ? current.invalidationsReceived() : 0;
	}

	/**
	 * How many times this instance cleared every L1 because it may have missed changes: once when the
	 * connection that carries invalidations is first set up (in the background, just after), and again
	 * each time it comes back after a loss; 0 when no cache uses Redis.
	 */
	public long l1Resynchronizations() {
		return this.resources.l1Resynchronizations();
	}

	/** How many changed keys this instance published to the others (in {@link CoherenceMode#PUBSUB} only). */
	public long invalidationsSent() {
		Coherence current = this.resources.coherence();
		return (current != null) ? current.invalidationsSent() : 0;
	}

	/**
	 * Calls {@code listener} with every cache of this manager: those that exist now, at once, and each
	 * one created later on first use, once it is in the manager.
	 */
	public void forEachCache(Consumer<TieredCache> listener) {
		this.registry.forEachCache(listener);
	}

	/**
	 * The circuit breaker in front of Redis, which every Redis call of this manager's caches (and of
	 * the write-behind queues built with it) goes through; {@code null} when no cache uses Redis.
	 */
	public @Nullable RedisCircuitBreaker redisCircuitBreaker() {
		return this.resources.breaker();
	}

	/**
	 * How much memory Redis uses, its limit and its evictions, read from {@code INFO} at most every 5 s
	 * (on a cluster, every primary's added up); {@code null} when no cache uses Redis, or while no
	 * reading has succeeded (Redis down, or {@code INFO} refused). It waits for Redis at most
	 * {@code tiercache.redis.timeout}, and not at all while the breaker keeps calls from Redis.
	 */
	public @Nullable RedisMemory redisMemory() {
		return this.resources.redisMemory();
	}

	/**
	 * Redis's memory figures.
	 * @param usedBytes {@code used_memory}
	 * @param maxBytes {@code maxmemory}; 0 for no limit
	 * @param evictedKeys {@code evicted_keys}: keys Redis evicted since it started
	 * @param policy {@code maxmemory_policy}
	 * @param nodes how many servers the figures add up (the primaries of a cluster)
	 */
	public record RedisMemory(long usedBytes, long maxBytes, long evictedKeys, String policy, int nodes) {

		/** The used share of the limit, 0 to 1 (or more); {@code NaN} without a limit. */
		public double usedRatio() {
			return (this.maxBytes > 0) ? (double) this.usedBytes / this.maxBytes : Double.NaN;
		}

	}

	/**
	 * Starts building a manager.
	 * @param connectionFactory the application's Redis connection factory (Lettuce), or {@code null}
	 * when every cache is {@link CacheMode#LOCAL}
	 */
	public static Builder builder(@Nullable RedisConnectionFactory connectionFactory) {
		return new Builder(connectionFactory);
	}

	/**
	 * Returns the named cache, creating it with the default settings if it is not declared and
	 * dynamic creation is on; {@code null} otherwise.
	 * @throws IllegalArgumentException if the name is not a valid cache name
	 */
	@Override
	public @Nullable TieredCache getCache(String name) {
		return this.registry.get(name);
	}

	/**
	 * Returns the named cache, as {@link #getCache} does.
	 * @throws IllegalArgumentException naming the known caches and the property to set if there is none
	 * of that name, or if the name is not valid
	 */
	public TieredCache getTieredCache(String name) {
		TieredCache cache = getCache(name);
		if (cache == null) {
			throw new IllegalArgumentException("No Tiercache cache named '" + name + "'; known caches are "
					+ new TreeSet<>(this.registry.names()) + ". Declare it under 'tiercache.cache-names' or"
					+ " 'tiercache.caches." + name + ".*', or set 'tiercache.dynamic=true' to create caches on first use");
		}
		return cache;
	}

	@Override
	public Collection<String> getCacheNames() {
		return this.registry.names();
	}

	/** The Redis key prefix, or {@code null} when no cache uses Redis. */
	public @Nullable String keyPrefix() {
		return this.resources.keyPrefix();
	}

	/**
	 * The connection to Redis this manager's caches use, for Tiercache's write-behind queues to share
	 * (one connection, one circuit breaker, one key layout); {@code null} when no cache uses Redis. Not an
	 * API: the manager owns it and closes it in {@link #destroy()}.
	 */
	public @Nullable RedisConnection redisConnection() {
		return this.resources.connection();
	}

	/**
	 * Connects to Redis, waiting at most {@link #STARTUP_CONNECT_WAIT} (then going on in the
	 * background, so that an application starts while Redis is down or unreachable), reads the caches'
	 * namespace versions (a cache whose version is unknown treats Redis as down until it is read), and
	 * starts subscribing to load wake-ups in the background.
	 * @throws RedisConnectionRejectedException if Redis refused the connection factory's user name or
	 * password, or its TLS certificate is not trusted: the manager is then closed, as by {@link #destroy()},
	 * since it can never reach Redis
	 */
	@Override
	public void afterPropertiesSet() {
		try {
			this.resources.start(STARTUP_CONNECT_WAIT);
		}
		catch (RuntimeException | Error ex) {
			try {
				this.resources.close();
			}
			catch (RuntimeException | Error closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
	}

	/**
	 * Where {@link CacheCreated}, {@link RedisCallsStopped} and {@link RedisCallsResumed} events go; set
	 * by the Spring container. Without it, no event is published. Events are delivered in order on a
	 * thread of the manager's, never on the thread that saw the change.
	 */
	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.resources.events().publishTo(publisher);
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		if (context instanceof ConfigurableApplicationContext configurable) {
			this.container = configurable;
		}
	}

	/**
	 * Loads take leases again after a {@link #stop()}. Called by the container once it is refreshed;
	 * the first time, publishes a {@link CacheCreated} for each declared cache (then
	 * {@code @EventListener} methods are registered; they are not while beans are initialized).
	 */
	@Override
	public void start() {
		this.resources.startLeasing();
		this.running = true;
		this.registry.publishDeclared();
	}

	/**
	 * Releases the leases this instance holds, so that other instances load their keys at once, and
	 * makes the pending Redis repairs, while the Redis connection is still there; until a
	 * {@link #start()}, loads take no lease. Caches go on serving; from L1 and their loaders only if the
	 * container is closing, since what the manager holds on Redis is then closed.
	 */
	@Override
	public void stop() {
		this.running = false;
		this.resources.stopLeasing();
		ConfigurableApplicationContext context = this.container;
		if (context != null && context.isClosed()) {
			// the container closes: its Redis connection factory stops next
			this.resources.closeRedis();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Releases held leases, stops the subscription, the breaker's probes and the threads, closes the
	 * Redis connection, and delivers the events still waiting (for at most 5 s).
	 */
	@Override
	public void destroy() {
		this.resources.close();
	}

	/**
	 * Builds a {@link TieredCacheManager}. Not thread-safe. Settings are checked as they are set.
	 */
	public static final class Builder {

		// package-private: the manager's parts (ManagerResources, CacheRegistry) read them as it is built

		final @Nullable RedisConnectionFactory connectionFactory;

		final Map<String, CacheSettings> caches = new LinkedHashMap<>();

		CacheSettings defaults = CacheSettings.DEFAULTS;

		boolean dynamic = true;

		String keyPrefix = DEFAULT_KEY_PREFIX;

		Duration redisTimeout = DEFAULT_REDIS_TIMEOUT;

		@Nullable ReadFrom readFrom;

		@Nullable ValueCodec codec;

		@Nullable ValueEncryption encryption;

		Function<String, @Nullable BulkheadConfig> loadBulkheads = (cache) -> null;

		Function<String, @Nullable RateLimiterConfig> newKeyLimits = (cache) -> null;

		int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;

		int maxPendingRepairs = 10_000;

		boolean reportHotKeys;

		@Nullable CircuitBreakerConfig breakerConfig = RedisCircuitBreaker.defaults().build();

		@Nullable Executor asyncExecutor;

		@Nullable Executor refreshExecutor;

		TiercacheErrorHandler errorHandler = TiercacheErrorHandler.logging();

		CacheTracer tracer = CacheTracer.NONE;

		private Builder(@Nullable RedisConnectionFactory connectionFactory) {
			this.connectionFactory = connectionFactory;
		}

		/**
		 * The prefix of every Redis key; usually the application's name.
		 * @throws InvalidSettingException ({@code key-prefix}) if blank or holding ':' (the separator of
		 * the parts of a key), '{' or '}'
		 */
		public Builder keyPrefix(String keyPrefix) {
			String problem = RedisKeys.prefixProblem(keyPrefix);
			if (problem != null) {
				throw new InvalidSettingException("key-prefix", keyPrefix, problem);
			}
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * How long one Redis call may take in total before it counts as failed (default 250 ms).
		 * @throws InvalidSettingException ({@code redis.timeout}) if not positive
		 */
		public Builder redisTimeout(Duration redisTimeout) {
			if (redisTimeout.isNegative() || redisTimeout.isZero()) {
				throw new InvalidSettingException("redis.timeout", redisTimeout, "must be positive");
			}
			this.redisTimeout = redisTimeout;
			return this;
		}

		/**
		 * Where entries' values are read from (Lettuce's {@link ReadFrom}: {@link ReadFrom#REPLICA_PREFERRED},
		 * say); {@code null} (the default) or the primary for reading everything from the primary. Only
		 * reads of values go there; leases, writes, namespace versions and checks of L1 stay on the
		 * primary. A replica's answer may be older than the primary's by the replica's lag; in a cache with
		 * L1, a key changed in the last two seconds is read from the primary, so that L1 keeps no value
		 * older than a change this instance knows of (unless a replica lags further behind than that).
		 * Replica reads have a circuit breaker of their own, configured as the primary's, and half the
		 * Redis timeout; one that fails is asked of the primary within the other half.
		 */
		public Builder readFrom(@Nullable ReadFrom readFrom) {
			this.readFrom = (readFrom == ReadFrom.UPSTREAM || readFrom == ReadFrom.MASTER) ? null : readFrom;
			return this;
		}

		/**
		 * How the circuit breaker in front of Redis judges it (default {@link RedisCircuitBreaker#defaults()});
		 * {@code null} for no breaker: every call then goes to Redis however it fares.
		 */
		public Builder redisBreaker(@Nullable CircuitBreakerConfig breakerConfig) {
			this.breakerConfig = breakerConfig;
			return this;
		}

		/** How values become bytes; required when a cache uses Redis. */
		public Builder codec(ValueCodec codec) {
			this.codec = codec;
			return this;
		}

		/**
		 * Encrypts in Redis the values of the caches {@code encrypted} accepts (by name), with AES-GCM:
		 * new values with the key {@code currentKeyId}, while values written with any of {@code keys} are
		 * still read, so that a key is rotated by making a new one current and dropping the old one once
		 * its entries have expired. The key id travels with each value. An entry that is not encrypted,
		 * names a key not given, or fails authentication is a miss: deleted and counted as a decode
		 * failure. L1 holds values in the clear, as the application does.
		 * @throws InvalidSettingException ({@code encryption.current-key}, {@code encryption.keys}) if the
		 * current key is not among the keys, an id is empty or over 64 UTF-8 bytes, or a key is not AES of
		 * 128, 192 or 256 bits
		 */
		public Builder encryption(String currentKeyId, Map<String, SecretKey> keys, Predicate<String> encrypted) {
			this.encryption = new ValueEncryption(currentKeyId, keys, encrypted);
			return this;
		}

		/**
		 * Bounds how many loads of a cache run at once in this instance (a resilience4j bulkhead per
		 * cache): a load past {@code maxConcurrentCalls} waits up to {@code maxWaitDuration} for room,
		 * then fails fast with {@code BulkheadFullException}, counted in {@code loadsRejected}. Only loads
		 * take room: L1 and L2 hits, and callers waiting for the same key's load, do not.
		 * @param bulkheads each cache's bulkhead by name, {@code null} for none (the default)
		 */
		public Builder loadBulkheads(Function<String, @Nullable BulkheadConfig> bulkheads) {
			this.loadBulkheads = bulkheads;
			return this;
		}

		/**
		 * Bounds how many keys of a cache callers load per second in this instance (a resilience4j rate
		 * limiter per cache): a load past {@code limitForPeriod} per {@code limitRefreshPeriod} waits up to
		 * {@code timeoutDuration} for a permit, then fails fast with {@code RequestNotPermitted}, counted in
		 * {@code loadsRejected}. Only loads by callers take a permit: hits, callers waiting for the same key's
		 * load, and background reloads of cached keys do not.
		 * @param limits each cache's limit by name, {@code null} for none (the default)
		 */
		public Builder newKeyLimits(Function<String, @Nullable RateLimiterConfig> limits) {
			this.newKeyLimits = limits;
			return this;
		}

		/**
		 * The largest framed value stored in Redis; larger ones are not cached (default 1 MiB).
		 * @throws InvalidSettingException ({@code max-value-size}) if not positive
		 */
		public Builder maxValueBytes(long maxValueBytes) {
			if (maxValueBytes <= 0 || maxValueBytes > Integer.MAX_VALUE) {
				throw new InvalidSettingException("max-value-size", maxValueBytes + "B", "must be between 1B and 2GB");
			}
			this.maxValueBytes = (int) maxValueBytes;
			return this;
		}

		/**
		 * How many failed Redis writes are remembered for retry (default 10,000); beyond that they are
		 * counted as dropped.
		 */
		public Builder maxPendingRepairs(int maxPendingRepairs) {
			if (maxPendingRepairs <= 0) {
				throw new InvalidSettingException("max-pending-repairs", maxPendingRepairs, "must be positive");
			}
			this.maxPendingRepairs = maxPendingRepairs;
			return this;
		}

		/**
		 * Whether this instance reports, every 10 seconds, the keys each cache with L1 read most to Redis
		 * (default {@code false}), for {@link TieredCache#reportedHotKeys} on new instances: one script per
		 * cache and report.
		 */
		public Builder reportHotKeys(boolean reportHotKeys) {
			this.reportHotKeys = reportHotKeys;
			return this;
		}

		/**
		 * Where asynchronous reads ({@code retrieve}) wait for Redis and loaders (default: a bounded pool
		 * of daemon threads that the manager owns; never the common fork-join pool).
		 */
		public Builder asyncExecutor(Executor asyncExecutor) {
			this.asyncExecutor = asyncExecutor;
			return this;
		}

		/**
		 * Where background reloads run (refresh-ahead, stale-while-revalidate, early expiry). Default: a
		 * pool of daemon threads the manager owns, one per CPU (at least two), with room for
		 * {@value TieredCacheManager#REFRESH_QUEUE} waiting reloads; beyond that they are dropped and counted. It should
		 * refuse work rather than run it on the calling thread.
		 */
		public Builder refreshExecutor(Executor refreshExecutor) {
			this.refreshExecutor = refreshExecutor;
			return this;
		}

		/**
		 * What the caches do with failures they keep from their callers: Redis failures, failed
		 * background reloads, fail-safe reads and unreadable entries (default
		 * {@link TiercacheErrorHandler#logging()}). The caches count them either way.
		 */
		public Builder errorHandler(TiercacheErrorHandler errorHandler) {
			this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler must not be null");
			return this;
		}

		/**
		 * What traces the caches' loads, their calls to Redis and write-behind flushes (default
		 * {@link CacheTracer#NONE}), {@linkplain CacheTracer#guarded guarded}; an L1 hit is never traced.
		 */
		public Builder tracer(CacheTracer tracer) {
			this.tracer = Objects.requireNonNull(tracer, "tracer must not be null");
			return this;
		}

		/** The settings of caches created on first use (default {@link CacheSettings#DEFAULTS}). */
		public Builder defaults(CacheSettings defaults) {
			this.defaults = defaults;
			return this;
		}

		/** Whether a cache that was not declared is created on first use (default {@code true}). */
		public Builder dynamic(boolean dynamic) {
			this.dynamic = dynamic;
			return this;
		}

		/**
		 * Declares a cache.
		 * @throws IllegalArgumentException if the name is invalid or a cache of that name was already added
		 */
		public Builder cache(String name, CacheSettings settings) {
			CacheNames.check(name);
			CacheSettings previous = this.caches.putIfAbsent(name, settings);
			if (previous != null) {
				throw new IllegalArgumentException("Cache '" + name + "' was already added with " + previous);
			}
			return this;
		}

		public TieredCacheManager build() {
			return new TieredCacheManager(this);
		}

	}

}
