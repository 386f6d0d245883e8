package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.cache.CacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.redis.RemoteCommands;
import dev.tiercache.stampede.LoadSubscription;

/**
 * A Spring {@link CacheManager} of {@link TieredCache}s: a fixed set of named caches, each with its
 * own {@link CacheSettings}, sharing one Redis connection, one lease scheme and one pub/sub
 * subscription.
 *
 * <p>The set of caches is fixed when the manager is built: {@link #getCache} returns {@code null} for
 * an unknown name (as the {@code CacheManager} contract says), and {@link #getTieredCache} throws an
 * exception that lists the known names. Build one with {@link #builder}. Call
 * {@link #afterPropertiesSet()} before use and {@link #destroy()} at the end (a Spring container does
 * both); {@code destroy} releases the load leases this instance still holds, so other instances take
 * over at once. Thread-safe.
 */
public final class TieredCacheManager implements CacheManager, InitializingBean, DisposableBean {

	private final Map<String, TieredCache> caches;

	private final @Nullable RemoteTier remote;

	private final @Nullable LoadSubscription subscription;

	private final CoarseClock clock;

	private TieredCacheManager(Builder builder) {
		RedisConnectionFactory connectionFactory = builder.connectionFactory;
		boolean anyRemote = builder.caches.values().stream().anyMatch(CacheSettings::usesRemote);
		if (anyRemote && connectionFactory == null) {
			throw new IllegalStateException("Caches " + remoteCacheNames(builder.caches)
					+ " use Redis but no RedisConnectionFactory was given; set their mode to 'local' or configure Redis");
		}
		if (anyRemote) {
			this.remote = new RemoteTier(new RemoteCommands(connectionFactory, builder.redisTimeout), builder.keyPrefix,
					Objects.requireNonNull(builder.codec, "a ValueCodec is required when caches use Redis"),
					builder.maxValueBytes, shortestLease(builder.caches));
			this.subscription = new LoadSubscription(connectionFactory,
					new String(this.remote.channel(), StandardCharsets.UTF_8), this.remote.notifications());
		}
		else {
			this.remote = null;
			this.subscription = null;
		}
		this.clock = new CoarseClock();
		Map<String, TieredCache> built = new LinkedHashMap<>();
		builder.caches.forEach((name, settings) -> built.put(name,
				new TieredCache(name, settings, this.remote, this.clock, builder.asyncExecutor)));
		this.caches = Collections.unmodifiableMap(built);
	}

	private static Duration shortestLease(Map<String, CacheSettings> caches) {
		return caches.values().stream().map(CacheSettings::lockLease).min(Duration::compareTo)
			.orElse(CacheSettings.DEFAULTS.lockLease());
	}

	private static String remoteCacheNames(Map<String, CacheSettings> caches) {
		return caches.entrySet().stream().filter((entry) -> entry.getValue().usesRemote()).map(Map.Entry::getKey)
			.toList().toString();
	}

	/**
	 * Starts building a manager.
	 * @param connectionFactory the application's Redis connection factory (Lettuce), or {@code null}
	 * when every cache is {@link CacheMode#LOCAL}
	 */
	public static Builder builder(@Nullable RedisConnectionFactory connectionFactory) {
		return new Builder(connectionFactory);
	}

	@Override
	public @Nullable TieredCache getCache(String name) {
		return this.caches.get(name);
	}

	/**
	 * Returns the named cache.
	 * @throws IllegalArgumentException naming the known caches if there is none of that name
	 */
	public TieredCache getTieredCache(String name) {
		TieredCache cache = this.caches.get(name);
		if (cache == null) {
			throw new IllegalArgumentException("No Tiercache cache named '" + name + "'; known caches are "
					+ this.caches.keySet() + ". Declare it under 'tiercache.cache-names' or 'tiercache.caches."
					+ name + ".*'");
		}
		return cache;
	}

	@Override
	public Collection<String> getCacheNames() {
		return this.caches.keySet();
	}

	/** The Redis key prefix, or {@code null} when no cache uses Redis. */
	public @Nullable String keyPrefix() {
		RemoteTier tier = this.remote;
		return (tier != null) ? tier.keyPrefix() : null;
	}

	/** Subscribes to load wake-ups, now or, if Redis is down, in the background. */
	@Override
	public void afterPropertiesSet() {
		LoadSubscription loads = this.subscription;
		if (loads != null) {
			loads.start();
		}
	}

	/** Releases held leases, stops the subscription and closes the Redis connection. */
	@Override
	public void destroy() throws Exception {
		this.clock.close();
		LoadSubscription loads = this.subscription;
		if (loads != null) {
			loads.close();
		}
		RemoteTier tier = this.remote;
		if (tier != null) {
			tier.close();
		}
	}

	/**
	 * Builds a {@link TieredCacheManager}. Not thread-safe; each setter may be called once.
	 */
	public static final class Builder {

		private final @Nullable RedisConnectionFactory connectionFactory;

		private final Map<String, CacheSettings> caches = new LinkedHashMap<>();

		private String keyPrefix = "tiercache";

		private Duration redisTimeout = Duration.ofMillis(250);

		private @Nullable ValueCodec codec;

		private int maxValueBytes = 1024 * 1024;

		private Executor asyncExecutor = ForkJoinPool.commonPool();

		private Builder(@Nullable RedisConnectionFactory connectionFactory) {
			this.connectionFactory = connectionFactory;
		}

		/** The prefix of every Redis key; usually the application's name. */
		public Builder keyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
			return this;
		}

		/** How long one Redis call may take before it counts as failed (default 250 ms). */
		public Builder redisTimeout(Duration redisTimeout) {
			this.redisTimeout = redisTimeout;
			return this;
		}

		/** How values become bytes; required when a cache uses Redis. */
		public Builder codec(ValueCodec codec) {
			this.codec = codec;
			return this;
		}

		/** The largest framed value stored in Redis; larger ones are not cached (default 1 MiB). */
		public Builder maxValueBytes(int maxValueBytes) {
			this.maxValueBytes = maxValueBytes;
			return this;
		}

		/** Where asynchronous reads ({@code retrieve}) run (default: the common fork-join pool). */
		public Builder asyncExecutor(Executor asyncExecutor) {
			this.asyncExecutor = asyncExecutor;
			return this;
		}

		/**
		 * Adds a cache.
		 * @throws IllegalArgumentException if a cache of that name was already added
		 */
		public Builder cache(String name, CacheSettings settings) {
			if (name.isBlank()) {
				throw new IllegalArgumentException("Cache name must not be blank");
			}
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
