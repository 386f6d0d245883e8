package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.internal.concurrent.Closing;
import dev.tiercache.internal.concurrent.EventDispatcher;
import dev.tiercache.internal.redis.RedisConnection;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.tier.TiercacheEvent.WriteDeadLettered;

/**
 * The write-behind queues of an application, one per cache that has {@code @WriteBehind} methods, and
 * the public API to watch them: {@link #stats lag and counters}, {@link #deadLetters dead letters} and
 * what to do with them ({@link #requeue}, {@link #drop}).
 *
 * <p><b>Guarantees.</b> A call that {@link #enqueue returns true} has its value in the cache (or, for a
 * value the cache cannot hold, its key deleted) and its entry in Redis, written by one script; with
 * {@link Durability#REPLICA}/{@link Durability#AOF}, the entry is also confirmed on replicas or in the
 * AOF, or already applied. The entry is applied at least once: it is acknowledged only after its
 * method returned or it became a dead letter, and an instance that dies leaves its unacknowledged
 * entries to the instance that takes its partitions over, {@code claim-idle} after its last heartbeat at
 * the latest; an instance that lost a partition can no longer read, acknowledge or start applying its
 * entries ({@link OwnerLease}). Entries of one key are applied in the order they were queued, and a
 * key with queued entries is never written around them: a call that cannot be queued runs
 * synchronously only while Redis confirms that no write of its key is queued, and is refused
 * otherwise. Until an entry is applied, reads of its key that find nothing in Redis get its value (or,
 * for a value the cache cannot hold, load it without storing it), so no read returns a cached value
 * older than an acknowledged write.
 *
 * <p><b>Eviction.</b> Queues live in Redis, and an entry Redis evicts is an acknowledged write lost.
 * So calls are queued only while Redis's {@code maxmemory-policy} cannot evict queue keys
 * ({@code noeviction}, {@code volatile-*}, or no {@code maxmemory}); it is read at start-up (which fails
 * otherwise), after every reconnection and every 30 seconds. While it could, calls fail with an
 * {@link UnsafeEvictionPolicyException}; where Redis refuses to tell, a warning is logged.
 *
 * <p><b>Lifecycle.</b> Flushing starts with the application context ({@link #start()}) and stops with it
 * ({@link #stop()}): the instance drains its partitions, and those no instance holds, for at most
 * {@code drain-timeout}; what is left stays in Redis for another instance. It stops after the web
 * server, so that requests in flight still queue their writes first. When that stop is part of the
 * container's close, the queues also close what they hold on Redis then (the durable writes'
 * connections, the eviction-policy watch, a connection of their own), before the cache manager and the
 * Redis connection factory stop: Lettuce's client can wait for ever in its shutdown for a connection
 * that still holds a command for a node that is down. Thread-safe.
 */
public final class WriteBehindQueues
		implements SmartLifecycle, AutoCloseable, ApplicationEventPublisherAware, ApplicationContextAware {

	/** Stops after the web server (and its graceful shutdown) and before the database goes away. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/** The Redis connection, key layout and breaker the queues use: a manager's, or their own. */
	private final RedisConnection redis;

	/** The connection's commands when these queues opened it and close it; {@code null} when a manager's. */
	private final @Nullable RemoteCommands ownedCommands;

	private final ArgumentCodec arguments;

	private final WriteBehindSettings defaults;

	private final Map<String, WriteBehindSettings> settings;

	private final Map<String, WriteBehindQueue> queues = new ConcurrentHashMap<>();

	private final Map<String, DurableWrites> durableWrites = new ConcurrentHashMap<>();

	private final Map<String, LagSample> lagSamples = new ConcurrentHashMap<>();

	private final List<Consumer<String>> queueListeners = new CopyOnWriteArrayList<>();

	private final EvictionPolicyGuard evictionPolicy;

	private volatile boolean running;

	/** The container the queues are a bean of, if it is one that can tell whether it is closing. */
	private volatile @Nullable ConfigurableApplicationContext container;

	/** Where {@link WriteDeadLettered} events go, off the flushers' threads; nowhere outside a Spring container. */
	private final EventDispatcher events = new EventDispatcher("tiercache-write-behind-events");

	/**
	 * Queues on the Redis connection of a cache manager, which they share: one connection, one circuit
	 * breaker, one key prefix. The manager keeps the connection; close the queues before the manager (a
	 * Spring container does).
	 * @param manager the cache manager whose caches the {@code @WriteBehind} methods write
	 * @param codec encodes the arguments of queued calls
	 * @param defaults the settings of caches not in {@code settings}
	 * @param settings per-cache settings, by cache name
	 * @throws IllegalArgumentException if no cache of the manager uses Redis
	 */
	public WriteBehindQueues(TieredCacheManager manager, ValueCodec codec, WriteBehindSettings defaults,
			Map<String, WriteBehindSettings> settings) {
		this(sharedConnection(manager), false, codec, defaults, settings);
	}

	/**
	 * Queues on a connection of their own, for an application whose cache manager is not a
	 * {@link TieredCacheManager}.
	 * @param connectionFactory the application's Redis connection factory (Lettuce)
	 * @param redisTimeout how long one Redis call may take
	 * @param breaker the circuit breaker of this factory's Redis
	 * @param keyPrefix the prefix of every Redis key
	 * @param codec encodes the arguments of queued calls
	 * @param defaults the settings of caches not in {@code settings}
	 * @param settings per-cache settings, by cache name
	 * @throws InvalidSettingException ({@code key-prefix}) if the prefix is blank or holds ':', '{' or '}'
	 */
	public WriteBehindQueues(RedisConnectionFactory connectionFactory, Duration redisTimeout,
			RedisCircuitBreaker breaker, String keyPrefix, ValueCodec codec, WriteBehindSettings defaults,
			Map<String, WriteBehindSettings> settings) {
		this(ownConnection(connectionFactory, redisTimeout, breaker, keyPrefix), true, codec, defaults, settings);
	}

	private WriteBehindQueues(RedisConnection connection, boolean ownsConnection, ValueCodec codec,
			WriteBehindSettings defaults, Map<String, WriteBehindSettings> settings) {
		requireWaitsWithinCommandTimeout(connection, defaults, settings);
		this.redis = connection;
		this.ownedCommands = ownsConnection ? connection.commands() : null;
		this.arguments = new ArgumentCodec(codec);
		this.defaults = defaults;
		this.settings = Map.copyOf(settings);
		this.evictionPolicy = new EvictionPolicyGuard(connection.commands(), connection.connectionFactory(),
				this::cacheNames);
	}

	/**
	 * A durable queue's {@code WAIT} (or {@code WAITAOF}) blocks for up to {@code durability-timeout},
	 * within one Redis call: a Lettuce command timeout ({@code spring.data.redis.timeout}) that ends first
	 * would fail every call whose entry Redis did not confirm at once, as a timeout.
	 * @throws InvalidSettingException ({@code durability-timeout}) naming the cache's property
	 */
	private static void requireWaitsWithinCommandTimeout(RedisConnection connection, WriteBehindSettings defaults,
			Map<String, WriteBehindSettings> settings) {
		if (!(connection.connectionFactory() instanceof LettuceConnectionFactory lettuce)) {
			return;
		}
		Duration commandTimeout = lettuce.getClientConfiguration().getCommandTimeout();
		Map<String, WriteBehindSettings> byProperty = new LinkedHashMap<>();
		byProperty.put("tiercache.defaults.write-behind.durability-timeout", defaults);
		settings.forEach((cache, queue) -> byProperty
			.put("tiercache.caches." + cache + ".write-behind.durability-timeout", queue));
		byProperty.forEach((property, queue) -> {
			Duration longestCall = queue.durabilityTimeout().plus(connection.timeout());
			if (queue.durability() != Durability.MEMORY && longestCall.compareTo(commandTimeout) > 0) {
				throw new InvalidSettingException(property, queue.durabilityTimeout(), "must end, with the Redis "
						+ "timeout (" + connection.timeout().toMillis() + " ms), within the command timeout "
						+ "'spring.data.redis.timeout' (" + commandTimeout.toMillis() + " ms), which would otherwise "
						+ "fail every call Redis does not confirm at once as a timeout; shorten it or lengthen "
						+ "'spring.data.redis.timeout'");
			}
		});
	}

	private static RedisConnection sharedConnection(TieredCacheManager manager) {
		RedisConnection connection = manager.redisConnection();
		if (connection == null) {
			throw new IllegalArgumentException("Write-behind queues need Redis, but no cache of " + manager
					+ " uses Redis; set 'tiercache.defaults.mode' (or a cache's mode) to 'both' or 'remote'");
		}
		return connection;
	}

	private static RedisConnection ownConnection(RedisConnectionFactory connectionFactory, Duration redisTimeout,
			RedisCircuitBreaker breaker, String keyPrefix) {
		String problem = RedisKeys.prefixProblem(keyPrefix);
		if (problem != null) {
			throw new InvalidSettingException("key-prefix", keyPrefix, problem);
		}
		// a connection of its own: the factory's shared one reads from replicas if Spring Boot's read-from says so
		RemoteCommands commands = RemoteCommands.dedicated(connectionFactory, redisTimeout, breaker);
		return new RedisConnection(connectionFactory, commands, new RedisKeys(keyPrefix), breaker, redisTimeout);
	}

	/**
	 * Registers a {@code @WriteBehind} method, creating its cache's queue; from then on its queued calls
	 * are applied here. Every method must be registered at start-up, so that entries another instance
	 * queued (or left behind when it died) can be applied.
	 * @throws IllegalStateException if the cache does not use Redis, or another method has the same id
	 */
	public void register(WriteBehindMethod method) {
		TieredCache cache = method.cache();
		if (!cache.settings().usesRemote()) {
			throw new IllegalStateException("@WriteBehind " + method.id() + " writes to cache '" + cache.getName()
					+ "', which does not use Redis (mode " + cache.settings().mode()
					+ "); a durable queue needs Redis: set 'tiercache.caches." + cache.getName() + ".mode' to 'both'");
		}
		boolean[] created = new boolean[1];
		this.queues.computeIfAbsent(cache.getName(), (name) -> {
			WriteBehindQueue queue = new WriteBehindQueue(cache, settingsOf(name), this.redis.keys(),
					this.redis.commands(), durableWrites(name), this.arguments, this.events::publish);
			if (this.running) {
				this.evictionPolicy.watch();
				queue.start();
			}
			created[0] = true;
			return queue;
		}).register(method);
		if (created[0]) {
			this.queueListeners.forEach((listener) -> listener.accept(cache.getName()));
		}
	}

	/**
	 * Calls {@code listener} with the name of every cache that has a queue: those that have one now, at
	 * once, and each one that gets one later, once it is registered.
	 */
	public void forEachQueue(Consumer<String> listener) {
		this.queueListeners.add(listener);
		this.queues.keySet().forEach(listener);
	}

	/** The settings of a cache's queue. */
	public WriteBehindSettings settingsOf(String cache) {
		return this.settings.getOrDefault(cache, this.defaults);
	}

	private @Nullable DurableWrites durableWrites(String cache) {
		WriteBehindSettings queue = settingsOf(cache);
		if (queue.durability() == Durability.MEMORY) {
			return null;
		}
		return this.durableWrites.computeIfAbsent(cache, (name) -> new DurableWrites(
				RemoteCommands.blocking(this.redis.connectionFactory(),
						this.redis.timeout().plus(queue.durabilityTimeout()), this.redis.breaker()),
				queue.durability(), queue.durabilityReplicas(), queue.durabilityTimeout().toMillis()));
	}

	/**
	 * Writes a call's value to its cache and queues the call, atomically. A value the cache cannot hold
	 * (the codec cannot encode it, it is over {@code max-value-size}, or it is a {@code null} with
	 * {@code null-ttl} 0) is queued all the same, with a delete of its key. With durability
	 * {@code replica} or {@code aof}, a call that Redis does not confirm in time waits, for at most
	 * {@code durability-timeout} more, until a flusher applied it.
	 * @param key the cache key
	 * @param value the value to cache, which readers see until the call is applied
	 * @param valueType the type the value is encoded as and read back as
	 * @param arguments the call's arguments, to apply it later
	 * @return {@code true} if queued; {@code false} if the call cannot be queued (the codec cannot encode
	 * its arguments, or durability {@code aof} on a Redis without {@code WAITAOF}) and Redis confirmed
	 * that no write of its key is queued: the caller must then run the method itself. Counted either way.
	 * @throws WriteBehindUnavailableException if the call was neither queued nor may run now (counted):
	 * Redis could not take the entry, or did not confirm it as durable and no flusher applied it in time,
	 * or the call cannot be queued while a write of its key is. The caller must not run the method.
	 * @throws UnsafeEvictionPolicyException if Redis was found to be able to evict queue entries
	 * @throws IllegalStateException if the method was not registered
	 */
	public boolean enqueue(WriteBehindMethod method, Object key, @Nullable Object value, Type valueType,
			@Nullable Object[] arguments) {
		this.evictionPolicy.requireQueueing();
		return queue(method.cache().getName()).enqueue(method, value, valueType, arguments, key);
	}

	/**
	 * Checks that calls may be queued now, for a caller about to defer a call (to a transaction's
	 * commit): it then fails while its transaction can still roll back.
	 * @throws UnsafeEvictionPolicyException if Redis was found to be able to evict queue entries
	 */
	public void requireQueueing() {
		this.evictionPolicy.requireQueueing();
	}

	/** The names of the caches that have a write-behind queue. */
	public Set<String> cacheNames() {
		return Collections.unmodifiableSet(new TreeSet<>(this.queues.keySet()));
	}

	/**
	 * The queue's lag (depth, age of the oldest entry, dead letters, read from Redis) and this
	 * instance's counters.
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 * @throws IllegalStateException if Redis does not answer
	 */
	public WriteBehindStats stats(String cache) {
		return remote(() -> queue(cache).stats());
	}

	/**
	 * The queue's lag and counters as {@link #stats} reads them, at most about a second old: for
	 * callers that ask often (health checks, meters). However often it is called, Redis is read at most
	 * once a second per queue, and a caller never waits for another caller's read.
	 * @return the lag, or {@code null} while Redis does not answer
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 */
	public @Nullable WriteBehindStats recentStats(String cache) {
		WriteBehindQueue queue = queue(cache);
		return this.lagSamples.computeIfAbsent(cache, (name) -> new LagSample(name, queue::stats)).get();
	}

	/**
	 * How many calls of a cache this instance refused with a {@link WriteBehindUnavailableException}
	 * since it started, as {@link WriteBehindStats#refused()}; read in this JVM, so also while Redis
	 * does not answer, when calls are refused.
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 */
	public long refusedCalls(String cache) {
		return queue(cache).refused();
	}

	/**
	 * The oldest dead letters of a cache, at most {@code max}.
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 * @throws IllegalStateException if Redis does not answer
	 */
	public List<DeadLetter> deadLetters(String cache, int max) {
		return remote(() -> queue(cache).deadLetters(max));
	}

	/**
	 * Puts a dead letter back in the queue, as a new entry (after any queued since for its key): it is
	 * applied again as it was queued. The cache entry of its key was evicted when it failed; it is
	 * evicted again once the entry is applied, so that reads then load what it wrote.
	 * @return whether the dead letter existed
	 * @throws IllegalStateException if Redis does not answer
	 * @throws IllegalArgumentException if the id is empty or the cache has no queue
	 */
	public boolean requeue(String cache, String id) {
		Assert.hasText(id, "The id of the dead letter to requeue must not be empty");
		return remote(() -> queue(cache).requeue(id));
	}

	/**
	 * Deletes a dead letter for good.
	 * @return whether it existed
	 * @throws IllegalStateException if Redis does not answer
	 * @throws IllegalArgumentException if the id is empty or the cache has no queue
	 */
	public boolean drop(String cache, String id) {
		Assert.hasText(id, "The id of the dead letter to drop must not be empty");
		return remote(() -> queue(cache).drop(id));
	}

	/**
	 * How many flushes of the cache's partitions wait for a flusher thread now: for tests and diagnosis.
	 * @throws IllegalArgumentException if the cache has no write-behind queue
	 */
	int flushesWaiting(String cache) {
		return queue(cache).flushesWaiting();
	}

	private WriteBehindQueue queue(String cache) {
		WriteBehindQueue queue = this.queues.get(cache);
		if (queue == null) {
			throw new IllegalArgumentException("Cache '" + cache + "' has no write-behind queue; caches with one: "
					+ cacheNames());
		}
		return queue;
	}

	private static <T> T remote(Supplier<T> call) {
		try {
			return call.get();
		}
		catch (RemoteCallException ex) {
			throw new IllegalStateException("Redis did not answer: " + ex.getMessage(), ex);
		}
	}

	// ---- lifecycle

	/**
	 * Connects to Redis, waiting at most {@link TieredCacheManager#STARTUP_CONNECT_WAIT} (a call made
	 * before the queues' connection is open waits for it only as long as the Redis timeout, and is
	 * refused if it is not open by then), and starts flushing.
	 */
	@Override
	public void start() {
		long deadline = System.nanoTime() + TieredCacheManager.STARTUP_CONNECT_WAIT.toNanos();
		this.durableWrites.values().forEach((durable) -> durable.connect(Duration.ZERO));
		this.redis.commands().connect(TieredCacheManager.STARTUP_CONNECT_WAIT);
		this.durableWrites.values()
			.forEach((durable) -> durable.connect(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
		if (!this.queues.isEmpty()) {
			this.evictionPolicy.checkAtStartup();
			this.evictionPolicy.watch();
			SentinelWriteGuard.checkAtStartup(this.redis.commands(), this.redis.connectionFactory(),
					this.queues.keySet());
		}
		this.running = true;
		this.queues.values().forEach(WriteBehindQueue::start);
	}

	/**
	 * Where {@link WriteDeadLettered} events go; set by the Spring container. Events are delivered in
	 * order on a thread of the queues', never on a flusher's.
	 */
	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
		this.events.publishTo(publisher);
	}

	/**
	 * Drains every queue (in parallel, each for at most its drain timeout, a second to halt and a few
	 * Redis calls) and waits for the drains to end, also when the calling thread is interrupted
	 * meanwhile (its flag is then set again on return): {@link #close()} must not close the connection
	 * under a drain still applying and acknowledging entries. When the container closes, then closes what
	 * the queues hold on Redis: calls made after that are refused.
	 */
	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		List<Thread> drains = this.queues.values().stream()
			.map((queue) -> new Thread(queue::drain, "tiercache-drain-" + queue.cacheName()))
			.toList();
		drains.forEach(Thread::start);
		boolean interrupted = false;
		for (Thread drain : drains) {
			while (drain.isAlive()) {
				try {
					drain.join();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		ConfigurableApplicationContext context = this.container;
		if (context != null && context.isClosed()) {
			// the container closes: the manager and the Redis connection factory stop next
			closeRedis();
		}
	}

	@Override
	public void setApplicationContext(ApplicationContext context) {
		if (context instanceof ConfigurableApplicationContext configurable) {
			this.container = configurable;
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
	 * Stops flushing if still running, closes the connections of the queues' own (not a manager's, which
	 * the manager closes), and delivers the events still waiting (for at most 5 s).
	 */
	@Override
	public void close() {
		Closing.all(this::stop, this::closeRedis, this.events);
	}

	/** Closes the eviction-policy watch and the connections of the queues' own; again harmlessly. */
	private void closeRedis() {
		Closing.all(this.evictionPolicy,
				() -> Closing.all(this.durableWrites.values().toArray(AutoCloseable[]::new)), this.ownedCommands);
	}

}
