package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.coherence.Namespaces;
import dev.tiercache.coherence.Tags;
import dev.tiercache.coherence.Coherence;
import dev.tiercache.coherence.L1Coherence;
import dev.tiercache.internal.concurrent.Closing;
import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.redis.ReplicaReads;
import dev.tiercache.internal.stampede.LeaseLocks;
import dev.tiercache.internal.stampede.LoadNotifications;
import dev.tiercache.internal.stampede.WriteIntents;
import dev.tiercache.internal.write.PendingValues;
import dev.tiercache.internal.write.PendingWrites;

/**
 * What one manager's caches share to use Redis, for as long as the manager lives: the commands (one
 * connection, behind the circuit breaker and the Redis timeout), the key layout, leases and write
 * intents, load wake-ups, repairs, the caches' namespace versions, the coherence of their L1s, and one
 * scheduler for all of their background work. Each cache's own {@link RemoteCache} and
 * {@link LoadLeases} work through it, once the cache is {@linkplain #register registered}.
 * Stopped in one place, {@link #close()}.
 *
 * <p><b>Leases at shutdown.</b> Between {@link #stopLeasing()} and {@link #startLeasing()} loads take no
 * lease, and the leases held when it stopped are released while Redis can still be reached, so that
 * other instances take their keys over at once and none is left held when the connection goes
 * ({@code StampedeAcrossContextsTests.closingTheHoldersContextReleasesItsLeaseAtOnce}). Thread-safe.
 */
final class RedisRuntime implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(TieredCacheManager.class);

	/**
	 * How long a registered write of a key's backing data is remembered at most: a writer that takes
	 * longer, or crashed, makes the writes that overlap it delete rather than store until then.
	 */
	static final Duration LONGEST_WRITE = Duration.ofSeconds(30);

	/** Threads of the scheduler: a check or a namespace read does not wait behind a repair that waits for Redis. */
	private static final int BACKGROUND_THREADS = 2;

	private final RemoteCommands commands;

	private final @Nullable ReplicaReads replicaReads;

	private final Coherence publisher;

	private final RedisKeys keys;

	private final byte[] channel;

	private final ValueCodec codec;

	private final @Nullable ValueEncryption encryption;

	private final int maxValueBytes;

	private final KeyRenderer renderer = new KeyRenderer();

	private final ScheduledExecutorService background = Executors.newScheduledThreadPool(BACKGROUND_THREADS,
			DaemonThreads.named("tiercache-redis"));

	private final LeaseLocks leases;

	private final WriteIntents intents;

	private final LoadNotifications notifications = new LoadNotifications();

	private final RemoteRepairs repairs;

	private final Namespaces namespaces;

	private final Tags tags;

	private final L1Coherence coherence;

	private final HotKeyReports hotKeys;

	private final RateLimit partitionMismatch = new RateLimit(Duration.ofSeconds(30));

	/** The write-behind layouts this instance learned from Redis (rather than from a queue of its own), by cache. */
	private final Map<String, PendingWrites> learned = new ConcurrentHashMap<>();

	/** Whether loads take leases; not between {@link #stopLeasing()} and {@link #startLeasing()}. */
	private volatile boolean leasing = true;

	/**
	 * @param replicaReads reads of entries' values that replicas serve; {@code null} to read everything
	 * from the primary
	 * @param reportHotKeys whether the caches' hot keys are reported ({@link HotKeyReports})
	 */
	RedisRuntime(RemoteCommands commands, @Nullable ReplicaReads replicaReads, Coherence publisher, RedisKeys keys,
			ValueCodec codec, @Nullable ValueEncryption encryption, int maxValueBytes, Duration shortestLease,
			int maxPendingRepairs, boolean reportHotKeys) {
		this.commands = commands;
		this.replicaReads = replicaReads;
		this.publisher = publisher;
		this.keys = keys;
		this.channel = keys.loadsChannel();
		this.codec = codec;
		this.encryption = encryption;
		this.maxValueBytes = maxValueBytes;
		this.leases = new LeaseLocks(commands, this.channel, shortestLease);
		this.intents = new WriteIntents(commands, this.channel, LONGEST_WRITE);
		this.repairs = new RemoteRepairs(maxPendingRepairs, this.background);
		this.namespaces = new Namespaces(commands, keys, publisher, this.background);
		this.tags = new Tags(commands, keys, publisher, this.background);
		this.coherence = new L1Coherence(keys, commands, this.background, this.namespaces, this.tags);
		this.hotKeys = new HotKeyReports(commands, keys, this.background, reportHotKeys);
	}

	/**
	 * Adds a cache whose namespace version is kept up to date (read now when {@code readNow}, bounded by
	 * the Redis timeout; otherwise with the next periodic read) and whose L1, if any, follows the changes
	 * Redis reports and has its hot keys reported, when they are.
	 */
	void register(CacheContext cache, boolean readNow) {
		if (cache.local() != null) {
			this.coherence.follow(cache);
			this.hotKeys.follow(cache);
		}
		this.namespaces.register(cache.name(), cache.namespaceVersion(), (partitions) -> queuedIn(cache, partitions),
				readNow);
	}

	/**
	 * Redis says the cache has a write-behind queue of {@code partitions} partitions (another instance
	 * queues its writes, or this one does): unless this instance knows it already, the cache's entries
	 * are laid out in their partitions' slots from now on, its loads store nothing over a queued write,
	 * and its L1, filled while the layout was another, is cleared.
	 */
	private void queuedIn(CacheContext cache, int partitions) {
		PendingWrites known = cache.pendingWrites();
		if (known != null && known.partitions() == partitions) {
			return;
		}
		if (known == null || known == this.learned.get(cache.name())) {
			PendingValues layout = new PendingValues(this.commands, this.keys, cache.name(), partitions);
			if (cache.replacePendingWrites(known, layout)) {
				this.learned.put(cache.name(), layout);
				logger.info("Tiercache found a write-behind queue of cache '" + cache.name() + "' in Redis ("
						+ partitions + " partitions): this instance lays the cache's entries out as the queue does");
			}
		}
		else if (this.partitionMismatch.allow()) {
			logger.error("Cache '" + cache.name() + "' has a write-behind queue of " + partitions + " partitions in "
					+ "Redis, and " + known.partitions() + " on this instance: its instances lay its entries out "
					+ "differently and miss each other's writes; set 'tiercache.caches." + cache.name()
					+ ".write-behind.partitions' alike on every instance (further reports within 30 s are dropped)");
		}
	}

	/**
	 * The key as it is named in Redis, without the cache and namespace.
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	String render(Object key) {
		return this.renderer.render(key);
	}

	/**
	 * The key of {@code type} named so in Redis, or {@code null}; see {@link KeyRenderer#parse}.
	 */
	@Nullable Object parse(String name, Class<?> type) {
		return this.renderer.parse(name, type);
	}

	/** The hot keys the manager's instances report, per cache. */
	HotKeyReports hotKeys() {
		return this.hotKeys;
	}

	/**
	 * Starts connecting to Redis and waits for it at most {@code wait}; the connection that reads from
	 * replicas, if any, opens in the background.
	 */
	void connect(Duration wait) {
		this.commands.connect(wait);
		if (this.replicaReads != null) {
			this.replicaReads.connect();
		}
	}

	/** Reads the namespace version of every registered cache now, stopping at the first Redis failure. */
	void readNamespaces() {
		this.namespaces.readAll();
	}

	/**
	 * Redis answers again after the circuit breaker stopped calls to it: the writes it missed are made
	 * (deletes of keys whose writes failed, clears, lease releases), then every L1 is cleared, since
	 * invalidations were missed meanwhile, and the namespace versions read again. Runs on the breaker's
	 * thread before callers use Redis again; the writes are spread over {@code workers}.
	 * @throws RemoteCallException if Redis failed again before every write was tried, or the thread was
	 * interrupted: callers must not use Redis before they are made (a write Redis refused, out of memory
	 * say, is retried in the background and stops no one)
	 */
	void recovered(Executor workers) {
		if (!this.repairs.retryNow(workers)) {
			throw new RemoteCallException("Redis failed again while Tiercache made the writes it had missed");
		}
		this.coherence.clearAndReread();
	}

	/**
	 * Shutting down, while Redis can still be reached: releases the leases held now, so that other
	 * instances take their keys over at once, and makes the pending repairs. From now on loads take no
	 * lease (each loads by itself), so none is left held when the connection goes.
	 */
	void stopLeasing() {
		this.leasing = false;
		this.leases.releaseAll();
		this.repairs.retryNow();
	}

	/** Loads take leases again, after {@link #stopLeasing()}. */
	void startLeasing() {
		this.leasing = true;
	}

	/** Whether loads take leases now. */
	boolean leasing() {
		return this.leasing;
	}

	/**
	 * Stops the background work (namespace reads, checks, repair retries), releases held leases, makes
	 * one last attempt at the pending repairs, and closes the connection.
	 */
	@Override
	public void close() {
		this.background.shutdownNow();
		Closing.all(this.coherence, this.leases, this.repairs, this.commands, this.replicaReads);
	}

	/** Keeps the L1s of the manager's caches coherent; receives the changes Redis reports. */
	L1Coherence coherence() {
		return this.coherence;
	}

	/** Tells the other instances of the changes this one makes, so that their L1s follow. */
	Coherence publisher() {
		return this.publisher;
	}

	LoadNotifications notifications() {
		return this.notifications;
	}

	String keyPrefix() {
		return this.keys.prefix();
	}

	/** The channel on which released leases wake the callers waiting for them. */
	String channel() {
		return new String(this.channel, StandardCharsets.UTF_8);
	}

	byte[] channelBytes() {
		return this.channel;
	}

	RemoteCommands commands() {
		return this.commands;
	}

	/** Reads of entries' values that replicas serve, or {@code null} if none do. */
	@Nullable ReplicaReads replicaReads() {
		return this.replicaReads;
	}

	RedisKeys keys() {
		return this.keys;
	}

	/** The codec of a cache's values in Redis: the manager's, encrypting if the cache is encrypted. */
	ValueCodec codecOf(String cache) {
		ValueEncryption encrypting = this.encryption;
		return (encrypting != null) ? encrypting.codecOf(cache, this.codec) : this.codec;
	}

	int maxValueBytes() {
		return this.maxValueBytes;
	}

	LeaseLocks leases() {
		return this.leases;
	}

	WriteIntents intents() {
		return this.intents;
	}

	RemoteRepairs repairs() {
		return this.repairs;
	}

	/** The caches' tags in Redis. */
	Tags tags() {
		return this.tags;
	}

	Namespaces namespaces() {
		return this.namespaces;
	}

}
