package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * The namespace versions of one manager's caches in Redis: every key of a cache names its version, so
 * bumping it clears the cache in one round trip, and reading it tells this instance of clears made
 * elsewhere. Each registered cache's version is read every {@link #READ_INTERVAL}, and again at once
 * when a change of a namespace key is reported ({@link L1Coherence}). Each cache's
 * {@link NamespaceVersion} keeps the floor: a version found below it (the namespace key was deleted, or
 * lost in a failover) is moved past it in Redis, by one script that leaves a version another instance
 * moved already, so that entries of older namespaces, which may have been cleared, are never served
 * again. Thread-safe.
 */
public final class Namespaces implements NamespaceReader {

	/** How often each cache's namespace version is read from Redis, to learn of clears made elsewhere. */
	public static final Duration READ_INTERVAL = Duration.ofSeconds(1);

	/**
	 * Bumps a cache's namespace version (KEYS[1]) past the instance's floor (ARGV[1]): one round trip,
	 * whatever the cache holds.
	 */
	private static final LuaScript BUMP = LuaScript.of("""
			local version = redis.call('INCR', KEYS[1])
			if version <= tonumber(ARGV[1]) then
			  version = tonumber(ARGV[1]) + 1
			  redis.call('SET', KEYS[1], version)
			end
			return version
			""");

	/**
	 * Moves a cache's namespace version (KEYS[1]) that went below the instance's floor (ARGV[1]) to one
	 * past it, unless another instance moved it already; returns the version.
	 */
	private static final LuaScript FORWARD = LuaScript.of("""
			local version = tonumber(redis.call('GET', KEYS[1])) or 0
			if version <= tonumber(ARGV[1]) then
			  version = tonumber(ARGV[1]) + 1
			  redis.call('SET', KEYS[1], version)
			end
			return version
			""");

	private static final Log logger = LogFactory.getLog(Namespaces.class);

	private final RemoteCommands commands;

	private final RedisKeys keys;

	private final Coherence coherence;

	private final Map<String, Registered> caches = new ConcurrentHashMap<>();

	private final RateLimit unreadable = new RateLimit(Duration.ofSeconds(30));

	/** Starts reading the registered caches' versions every {@link #READ_INTERVAL} on {@code scheduler}. */
	public Namespaces(RemoteCommands commands, RedisKeys keys, Coherence coherence, ScheduledExecutorService scheduler) {
		this.commands = commands;
		this.keys = keys;
		this.coherence = coherence;
		long interval = READ_INTERVAL.toMillis();
		scheduler.scheduleWithFixedDelay(this::readAll, interval, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * Adds a cache whose namespace version is kept up to date, reading it now when {@code readNow}
	 * (bounded by the Redis timeout), otherwise with the next periodic read.
	 * @param queued told, with each read, how many partitions the cache's write-behind queue has when
	 * Redis says it has one (it lays out the cache's entries)
	 */
	public void register(String cacheName, NamespaceVersion version, IntConsumer queued, boolean readNow) {
		Registered cache = new Registered(version, queued);
		this.caches.put(cacheName, cache);
		if (readNow) {
			read(cacheName, cache);
		}
	}

	/** Reads the namespace version of every registered cache now, stopping at the first Redis failure. */
	@Override
	public void readAll() {
		for (Map.Entry<String, Registered> cache : this.caches.entrySet()) {
			if (!read(cache.getKey(), cache.getValue())) {
				return;
			}
		}
	}

	/**
	 * Reads a cache's namespace version again, when a change was reported; a Redis failure is logged at
	 * debug level (the periodic read retries).
	 */
	@Override
	public void read(String cacheName) {
		Registered cache = this.caches.get(cacheName);
		if (cache != null) {
			read(cacheName, cache);
		}
	}

	/**
	 * Reads one cache's namespace version, moving it past the floor if it went below; {@code false} if Redis failed
	 * (not if Redis answered with something that is not a version).
	 */
	private boolean read(String cacheName, Registered cache) {
		try {
			readNow(cacheName, cache);
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read the namespace of cache '" + cacheName + "'", ex);
			return false;
		}
		catch (RuntimeException ex) {
			// not Redis failing (a namespace key that holds no number, say): the periodic read must go on
			if (this.unreadable.allow()) {
				logger.warn("Tiercache cannot read the namespace version of cache '" + cacheName + "' at "
						+ new String(this.keys.namespace(cacheName), StandardCharsets.UTF_8)
						+ " (further failures within 30 s are logged at debug level): " + ex.getMessage());
			}
			else {
				logger.debug("Tiercache cannot read the namespace version of cache '" + cacheName + "'", ex);
			}
			// Redis answered: the other caches' versions can still be read
			return true;
		}
	}

	/**
	 * Reads a registered cache's namespace version as the periodic read does, throwing if Redis fails.
	 * @throws RemoteCallException if Redis fails
	 */
	public void readNow(String cacheName) {
		readNow(cacheName, registered(cacheName));
	}

	/** Reads the namespace version, and the number of write-behind partitions, in one round trip. */
	private void readNow(String cacheName, Registered cache) {
		NamespaceVersion version = cache.version();
		NamespaceVersion.Stamp stamp = version.stamp();
		// the floor as it was before the read: a concurrent read that moved the key past it makes FORWARD a
		// no-op, where the floor it moved to would move the key once more (and clear every instance again)
		long floor = version.current();
		List<KeyValue<byte[], byte[]>> stored = this.commands
			.call((redis) -> redis.mget(this.keys.namespace(cacheName), this.keys.writeBehindPartitions(cacheName)));
		long read = number(stored, 0);
		if (read < floor) {
			read = run(cacheName, FORWARD, floor);
		}
		int partitions = writeBehindPartitions(cacheName, stored);
		if (partitions > 0) {
			cache.queued().accept(partitions);
		}
		version.read(read, stamp);
	}

	/**
	 * The number of partitions of the cache's write-behind queue that an {@code MGET} reply holds, or 0 if
	 * none, or if what it holds is not such a number (logged: the namespace version is used all the same).
	 */
	private int writeBehindPartitions(String cacheName, @Nullable List<KeyValue<byte[], byte[]>> reply) {
		try {
			long partitions = number(reply, 1);
			if (partitions >= 0 && partitions <= RedisKeys.MAX_PARTITIONS) {
				return (int) partitions;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		if (this.unreadable.allow()) {
			logger.warn("Tiercache cannot read the number of write-behind partitions of cache '" + cacheName + "' at "
					+ new String(this.keys.writeBehindPartitions(cacheName), StandardCharsets.UTF_8) + ": it holds no "
					+ "number from 1 to " + RedisKeys.MAX_PARTITIONS + "; the queue's flushers write it again");
		}
		return 0;
	}

	/** The number at {@code index} of an {@code MGET} reply, or 0 if that key holds none. */
	private static long number(@Nullable List<KeyValue<byte[], byte[]>> reply, int index) {
		if (reply == null || reply.size() <= index || !reply.get(index).hasValue()) {
			return 0;
		}
		return Long.parseLong(new String(reply.get(index).getValue(), StandardCharsets.US_ASCII));
	}

	/**
	 * Bumps a registered cache's namespace version past its floor, so that its entries are no longer
	 * read, and tells the other instances.
	 * @throws RemoteCallException if Redis fails
	 */
	public void bump(String cacheName) {
		NamespaceVersion version = registered(cacheName).version();
		NamespaceVersion.Stamp stamp = version.stamp();
		long from = version.current();
		version.bumped(run(cacheName, BUMP, from), from, stamp);
		this.coherence.publish(this.keys.namespace(cacheName));
	}

	private Registered registered(String cacheName) {
		Registered cache = this.caches.get(cacheName);
		if (cache == null) {
			throw new IllegalStateException("Cache '" + cacheName + "' has no registered namespace");
		}
		return cache;
	}

	/** A cache whose namespace is read: its version, and who is told of its write-behind queue. */
	private record Registered(NamespaceVersion version, IntConsumer queued) {
	}

	/** Runs a script on the cache's namespace key with the cache's floor; returns the version it leaves. */
	private long run(String cacheName, LuaScript script, long floor) {
		Long version = this.commands.eval(script, ScriptOutputType.INTEGER,
				new byte[][] { this.keys.namespace(cacheName) }, LuaScript.number(floor));
		if (version == null) {
			throw new IllegalStateException("The namespace script returned no version");
		}
		return version;
	}

}
