package dev.tiercache.tier;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisInfo;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.tier.TieredCacheManager.RedisMemory;

/**
 * Reads how much memory Redis uses, its limit and how many keys it evicted, from {@code INFO}: at most
 * once every {@value #INTERVAL_SECONDS} seconds however often it is asked (a failed attempt included),
 * one caller at a time (the others get the last reading), and only while the circuit breaker admits
 * calls. On a Redis Cluster,
 * the figures of every primary are added up. Thread-safe.
 */
final class RedisMemoryReadings {

	static final long INTERVAL_SECONDS = 5;

	private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);

	/** After how many intervals without a successful reading the last one is dropped. */
	static final int KEPT_INTERVALS = 3;

	private static final Log logger = LogFactory.getLog(RedisMemoryReadings.class);

	private final RemoteCommands commands;

	private final AtomicBoolean reading = new AtomicBoolean();

	private volatile @Nullable Reading last;

	RedisMemoryReadings(RemoteCommands commands) {
		this.commands = commands;
	}

	/**
	 * The last reading, read again first if the last attempt is older than the interval; {@code null} if
	 * no reading succeeded in the last {@value #KEPT_INTERVALS} intervals (a figure that old is dropped,
	 * not shown as current). A failed attempt waits the interval too before the next.
	 */
	@Nullable RedisMemory recent() {
		Reading previous = this.last;
		long now = System.nanoTime();
		if ((previous != null && now - previous.attemptedAt() < INTERVAL_NANOS) || !this.commands.admits()
				|| !this.reading.compareAndSet(false, true)) {
			return current(previous, now);
		}
		try {
			List<String> infos = this.commands.call(RedisMemoryReadings::infoOfEveryPrimary);
			RedisMemory memory = (infos != null) ? sum(infos) : null;
			this.last = new Reading(memory, now, now);
			return memory;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read Redis's memory figures", ex);
			this.last = (previous != null) ? new Reading(previous.memory(), previous.readAt(), now)
					: new Reading(null, now, now);
			return current(previous, now);
		}
		finally {
			this.reading.set(false);
		}
	}

	private static @Nullable RedisMemory current(@Nullable Reading reading, long now) {
		return (reading != null && now - reading.readAt() < KEPT_INTERVALS * INTERVAL_NANOS) ? reading.memory()
				: null;
	}

	/** {@code INFO} of the server, or of every primary of a cluster. */
	private static CompletableFuture<List<String>> infoOfEveryPrimary(RedisClusterAsyncCommands<byte[], byte[]> redis) {
		if (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
			return cluster.masters().commands().info().toCompletableFuture();
		}
		return redis.info().thenApply(List::of).toCompletableFuture();
	}

	/** The figures of the nodes added up; a node without a limit makes the whole unlimited. */
	private static @Nullable RedisMemory sum(List<String> infos) {
		long used = 0;
		long max = 0;
		boolean unlimited = false;
		long evicted = 0;
		String policy = null;
		for (String info : infos) {
			long nodeMax = RedisInfo.number(info, "maxmemory");
			long nodeUsed = RedisInfo.number(info, "used_memory");
			if (nodeUsed < 0) {
				return null;
			}
			used += nodeUsed;
			unlimited |= nodeMax <= 0;
			max += Math.max(0, nodeMax);
			evicted += Math.max(0, RedisInfo.number(info, "evicted_keys"));
			policy = (policy != null) ? policy : RedisInfo.text(info, "maxmemory_policy");
		}
		return new RedisMemory(used, unlimited ? 0 : max, evicted, (policy != null) ? policy : "unknown",
				infos.size());
	}

	/**
	 * @param memory the figures read, {@code null} if none
	 * @param readAt when they were read
	 * @param attemptedAt when Redis was last asked, with or without success
	 */
	private record Reading(@Nullable RedisMemory memory, long readAt, long attemptedAt) {
	}

}
