package dev.tiercache.tier;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.coherence.Coherence;
import dev.tiercache.internal.concurrent.Closing;
import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.EventDispatcher;
import dev.tiercache.internal.redis.RedisConnection;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.redis.ReplicaReads;
import dev.tiercache.internal.stampede.LoadSubscription;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.TiercacheEvent.RedisCallsResumed;
import dev.tiercache.tier.TiercacheEvent.RedisCallsStopped;
import dev.tiercache.tracing.CacheTracer;

/**
 * What the caches of one {@link TieredCacheManager} share, built from the manager's builder and closed
 * with it in one place: the Redis side (the circuit breaker, the coherence of the L1s, the
 * {@link RedisRuntime} and the subscription to load wake-ups), the {@link CoarseClock}, the executors
 * of asynchronous reads and of background reloads, the error handler, and the dispatcher of the
 * manager's events. Makes the manager's caches with them ({@link #newCache}).
 *
 * <p>The Redis side exists only when a cache uses Redis: a declared one, or the defaults when caches
 * are created on first use. It then needs a connection factory (an {@link IllegalStateException}
 * naming those caches otherwise) and a codec. Start-up ({@link #start}) connects and reads the declared
 * caches' namespace versions; a cache made later reads its own at once. The executors are the
 * builder's, or pools of daemon threads of the manager's own, which {@link #close()} stops; a
 * builder's are left running. Thread-safe.
 */
final class ManagerResources implements AutoCloseable {

	/** Logs under the manager's name, where applications look for its warnings. */
	private static final Log logger = LogFactory.getLog(TieredCacheManager.class);

	private final @Nullable RedisRuntime redis;

	/** The connection the caches use, for the write-behind queues to share; {@code null} without Redis. */
	private final @Nullable RedisConnection connection;

	private final @Nullable RedisMemoryReadings memory;

	private final @Nullable LoadSubscription subscription;

	private final CoarseClock clock;

	private final Executor asyncExecutor;

	private final @Nullable ExecutorService ownExecutor;

	private final Executor refreshExecutor;

	private final @Nullable ExecutorService ownRefreshExecutor;

	private final @Nullable Coherence coherence;

	private final @Nullable RedisCircuitBreaker breaker;

	private final TiercacheErrorHandler errorHandler;

	private final CacheTracer tracer;

	private final Function<String, @Nullable BulkheadConfig> loadBulkheads;

	private final Function<String, @Nullable RateLimiterConfig> newKeyLimits;

	/** Where events go, off the callers' threads: the application context, or nowhere outside a Spring container. */
	private final EventDispatcher events = new EventDispatcher("tiercache-events");

	/** Whether start-up connected and read the declared caches' namespaces; caches created later read theirs at once. */
	private volatile boolean started;

	/**
	 * @throws IllegalStateException if a cache uses Redis but the builder has no connection factory, or
	 * the factory is not Lettuce's
	 * @throws NullPointerException if a cache uses Redis but the builder has no codec
	 */
	ManagerResources(TieredCacheManager.Builder builder) {
		this.errorHandler = builder.errorHandler;
		this.tracer = CacheTracer.guarded(builder.tracer);
		this.loadBulkheads = builder.loadBulkheads;
		this.newKeyLimits = builder.newKeyLimits;
		RedisConnectionFactory connectionFactory = builder.connectionFactory;
		boolean anyRemote = builder.caches.values().stream().anyMatch(CacheSettings::usesRemote)
				|| (builder.dynamic && builder.defaults.usesRemote());
		if (anyRemote && connectionFactory == null) {
			throw new IllegalStateException("Caches " + remoteCacheNames(builder)
					+ " use Redis but no RedisConnectionFactory was given; set their mode to 'local' or configure Redis");
		}
		if (anyRemote) {
			this.breaker = (builder.breakerConfig != null) ? new RedisCircuitBreaker(builder.breakerConfig)
					: RedisCircuitBreaker.disabled();
			RedisKeys keys = new RedisKeys(builder.keyPrefix);
			this.coherence = new Coherence(connectionFactory, keys.trackedPrefixes(), keys.invalidationsChannel());
			RemoteCommands commands = RemoteCommands.dedicated(connectionFactory, builder.redisTimeout, this.breaker,
					this.coherence);
			this.connection = new RedisConnection(connectionFactory, commands, keys, this.breaker, builder.redisTimeout);
			this.memory = new RedisMemoryReadings(commands);
			ValueCodec codec = Objects.requireNonNull(builder.codec, "a ValueCodec is required when caches use Redis");
			ReplicaReads replicaReads = (builder.readFrom != null)
					? new ReplicaReads(connectionFactory, builder.redisTimeout, builder.breakerConfig, builder.readFrom)
					: null;
			this.redis = new RedisRuntime(commands, replicaReads, this.coherence, keys, codec,
					builder.encryption, builder.maxValueBytes, shortestLease(builder), builder.maxPendingRepairs,
					builder.reportHotKeys);
			RedisRuntime runtime = this.redis;
			RedisCircuitBreaker recovering = this.breaker;
			this.breaker.onRecovery(() -> runtime.recovered(recovering.recoveryExecutor()));
			this.breaker.listen(new RedisCallEvents(this.events));
			this.coherence.deliverTo(this.redis.coherence(), commands);
			this.subscription = new LoadSubscription(connectionFactory, this.redis.channel(),
					this.redis.notifications());
		}
		else {
			this.breaker = null;
			this.coherence = null;
			this.connection = null;
			this.memory = null;
			this.redis = null;
			this.subscription = null;
		}
		this.clock = new CoarseClock();
		this.ownExecutor = (builder.asyncExecutor == null) ? newAsyncExecutor() : null;
		this.asyncExecutor = (builder.asyncExecutor != null) ? builder.asyncExecutor : this.ownExecutor;
		this.ownRefreshExecutor = (builder.refreshExecutor == null) ? newRefreshExecutor() : null;
		this.refreshExecutor = (builder.refreshExecutor != null) ? builder.refreshExecutor : this.ownRefreshExecutor;
	}

	/**
	 * Makes a cache with the shared parts, registered with the Redis side if it uses Redis (its
	 * namespace version read at once if start-up is done). A local-only cache with freshness settings,
	 * which need Redis, is logged as such.
	 */
	TieredCache newCache(String name, CacheSettings settings) {
		if (!settings.usesRemote() && !settings.freshness().equals(Freshness.NONE)) {
			logger.warn("Tiercache cache '" + name + "' is local-only: " + settings.freshness()
					+ " needs Redis (mode 'both' or 'remote') and is ignored");
		}
		BulkheadConfig bulkhead = this.loadBulkheads.apply(name);
		RateLimiterConfig newKeys = this.newKeyLimits.apply(name);
		LoadLimits limits = new LoadLimits((bulkhead != null) ? Bulkhead.of("tiercache-loads-" + name, bulkhead) : null,
				(newKeys != null) ? RateLimiter.of("tiercache-new-keys-" + name, newKeys) : null);
		TieredCache cache = new TieredCache(name, settings, this.redis, this.clock, this.asyncExecutor,
				this.refreshExecutor, this.errorHandler, limits, this.tracer);
		RedisRuntime redis = this.redis;
		if (redis != null && settings.usesRemote()) {
			redis.register(cache.context(), this.started);
		}
		return cache;
	}

	/**
	 * Connects to Redis, waiting at most {@code wait}, reads the registered caches' namespace versions,
	 * and starts subscribing to load wake-ups in the background.
	 */
	void start(Duration wait) {
		RedisRuntime redis = this.redis;
		if (redis != null) {
			redis.connect(wait);
			redis.readNamespaces();
		}
		this.started = true;
		LoadSubscription loads = this.subscription;
		if (loads != null) {
			loads.start();
		}
	}

	/** Loads take leases again ({@link RedisRuntime#startLeasing()}). */
	void startLeasing() {
		RedisRuntime redis = this.redis;
		if (redis != null) {
			redis.startLeasing();
		}
	}

	/** Releases the leases held and makes the pending repairs ({@link RedisRuntime#stopLeasing()}). */
	void stopLeasing() {
		RedisRuntime redis = this.redis;
		if (redis != null) {
			redis.stopLeasing();
		}
	}

	/** How this instance follows other clients' changes; {@code null} when no cache uses Redis. */
	@Nullable Coherence coherence() {
		return this.coherence;
	}

	/** How many times every L1 was cleared because changes may have been missed; 0 when no cache uses Redis. */
	long l1Resynchronizations() {
		RedisRuntime redis = this.redis;
		return (redis != null) ? redis.coherence().resynchronizations() : 0;
	}

	/** Redis's recent memory figures ({@link RedisMemoryReadings}); {@code null} when no cache uses Redis. */
	TieredCacheManager.@Nullable RedisMemory redisMemory() {
		RedisMemoryReadings readings = this.memory;
		return (readings != null) ? readings.recent() : null;
	}

	/** The circuit breaker in front of Redis; {@code null} when no cache uses Redis. */
	@Nullable RedisCircuitBreaker breaker() {
		return this.breaker;
	}

	/** The connection the caches use, or {@code null} when no cache uses Redis. */
	@Nullable RedisConnection connection() {
		return this.connection;
	}

	/** The Redis key prefix, or {@code null} when no cache uses Redis. */
	@Nullable String keyPrefix() {
		RedisRuntime redis = this.redis;
		return (redis != null) ? redis.keyPrefix() : null;
	}

	/** Where the manager's events go. */
	EventDispatcher events() {
		return this.events;
	}

	/**
	 * Releases held leases, stops the subscription, the breaker's probes and the manager's own threads,
	 * closes the Redis connection, and delivers the events still waiting (for at most 5 s).
	 */
	@Override
	public void close() {
		ExecutorService executor = this.ownExecutor;
		ExecutorService refreshes = this.ownRefreshExecutor;
		try {
			closeRedis();
		}
		finally {
			Closing.all(this.clock, (executor != null) ? executor::shutdownNow : null,
					(refreshes != null) ? refreshes::shutdownNow : null, this.events);
		}
	}

	/**
	 * Closes what the manager holds on Redis (the subscription, the coherence connection, the runtime with
	 * its connection, the breaker): Redis calls fail at once from then on, and caches serve from L1 and
	 * their loaders. Again at {@link #close()}, harmlessly.
	 */
	void closeRedis() {
		Closing.all(this.subscription, this.coherence, this.redis, this.breaker);
	}

	private static Duration shortestLease(TieredCacheManager.Builder builder) {
		return builder.caches.values().stream().map(CacheSettings::lockLease)
			.reduce(builder.defaults.lockLease(), (a, b) -> (a.compareTo(b) <= 0) ? a : b);
	}

	private static String remoteCacheNames(TieredCacheManager.Builder builder) {
		return builder.caches.entrySet().stream().filter((entry) -> entry.getValue().usesRemote())
			.map(Map.Entry::getKey).toList() + (builder.dynamic ? " (and caches created on first use)" : "");
	}

	private static ExecutorService newAsyncExecutor() {
		int size = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
		ThreadPoolExecutor executor = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), DaemonThreads.numbered("tiercache-async-"));
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/**
	 * The default executor of background reloads: a few daemon threads and a bounded queue; a reload
	 * it cannot take is dropped (and counted), never run on the caller's thread.
	 */
	private static ExecutorService newRefreshExecutor() {
		int size = Math.max(2, Runtime.getRuntime().availableProcessors());
		ThreadPoolExecutor executor = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(TieredCacheManager.REFRESH_QUEUE), DaemonThreads.numbered("tiercache-refresh-"));
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/**
	 * Publishes the breaker's stops and resumptions as events. Holds the dispatcher only, never the
	 * manager, so that what keeps the breaker (a shared connection's) keeps no cache alive.
	 */
	private record RedisCallEvents(EventDispatcher events) implements RedisCircuitBreaker.Listener {

		@Override
		public void stopped() {
			this.events.publishStateChange(new RedisCallsStopped(Instant.now()));
		}

		@Override
		public void resumed(Duration outage) {
			this.events.publishStateChange(new RedisCallsResumed(Instant.now(), outage));
		}

	}

}
