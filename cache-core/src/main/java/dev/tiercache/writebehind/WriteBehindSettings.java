package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.Locale;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.tier.InvalidSettingException;

/**
 * The write-behind settings of one cache ({@code tiercache.caches.<name>.write-behind.*}). Immutable,
 * validated on construction.
 *
 * @param batchSize how many queue entries the flusher reads at once per partition (1 to 1,000)
 * @param flushInterval how often idle partitions are polled for new entries
 * @param concurrency how many flusher threads this instance runs for the cache
 * @param partitions how many streams the queue is split into by key hash; entries of one key are
 * applied in order, partitions in parallel. Every instance must use the same number
 * @param maxAttempts how many times a failing write is tried before it becomes a dead letter
 * @param backoff the wait before the first retry; it doubles at each retry, with jitter
 * @param maxBackoff the longest wait between two retries
 * @param claimIdle how long a partition's owner may stay silent before another instance takes the
 * partition over and claims the entries it read but did not acknowledge: the owner's lease, renewed
 * by a heartbeat thread every third of it, however long a call runs. A dead instance's partitions are
 * taken over this long after its last heartbeat at the latest; an instance paused (or cut off from
 * Redis) for longer loses its partitions
 * @param drainTimeout how long shutdown waits for this instance's partitions to drain
 * @param durability what a call waits for before it returns
 * @param durabilityReplicas how many replicas must have the entry with {@link Durability#REPLICA}
 * @param durabilityTimeout how long a call waits for {@code WAIT}/{@code WAITAOF}; when it is not
 * confirmed in time, the call waits as long again for a flusher to apply it, and is refused with a
 * {@link WriteBehindUnavailableException} otherwise (never run synchronously around the queue)
 * @param coalesceWindow how long a partition gathers new entries once its flusher caught up with it (read
 * fewer than {@code batchSize}), before it is read again, at the next poll after that: the writes of one
 * key within it are coalesced into one call. Zero (the default) reads on until the partition is empty,
 * for the shortest lag; shutdown's drain never waits for it. At most ten minutes; with a durability other
 * than {@link Durability#MEMORY}, shorter than {@code durabilityTimeout} by more than {@code flushInterval}
 */
public record WriteBehindSettings(int batchSize, Duration flushInterval, int concurrency, int partitions,
		int maxAttempts, Duration backoff, Duration maxBackoff, Duration claimIdle, Duration drainTimeout,
		Durability durability, int durabilityReplicas, Duration durabilityTimeout, Duration coalesceWindow) {

	/** The longest {@code coalesce-window}. */
	public static final Duration MAX_COALESCE_WINDOW = Duration.ofMinutes(10);

	/** The settings nothing overrides. */
	public static final WriteBehindSettings DEFAULTS = new WriteBehindSettings(100, Duration.ofMillis(100), 2, 8, 5,
			Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(10),
			Durability.MEMORY, 1, Duration.ofSeconds(1), Duration.ZERO);

	/**
	 * @throws InvalidSettingException naming the setting ({@code write-behind.…}) if one is out of range
	 */
	public WriteBehindSettings {
		requireBetween("batch-size", batchSize, 1, 1000);
		requirePositive("flush-interval", flushInterval);
		requireBetween("concurrency", concurrency, 1, 256);
		requireBetween("partitions", partitions, 1, RedisKeys.MAX_PARTITIONS);
		requireBetween("max-attempts", maxAttempts, 1, 1000);
		requirePositive("backoff", backoff);
		requirePositive("max-backoff", maxBackoff);
		requirePositive("claim-idle", claimIdle);
		if (drainTimeout.isNegative()) {
			throw new InvalidSettingException("write-behind.drain-timeout", drainTimeout, "must be zero or positive");
		}
		requireBetween("durability-replicas", durabilityReplicas, 1, 64);
		requirePositive("durability-timeout", durabilityTimeout);
		if (coalesceWindow.isNegative() || coalesceWindow.compareTo(MAX_COALESCE_WINDOW) > 0) {
			throw new InvalidSettingException("write-behind.coalesce-window", coalesceWindow,
					"must be between 0 and " + MAX_COALESCE_WINDOW);
		}
		if (durability != Durability.MEMORY && !coalesceWindow.isZero()
				&& coalesceWindow.plus(flushInterval).compareTo(durabilityTimeout) >= 0) {
			throw new InvalidSettingException("write-behind.coalesce-window", coalesceWindow,
					"with durability " + durability.name().toLowerCase(Locale.ROOT) + ", plus flush-interval ("
							+ flushInterval + ") it must stay under durability-timeout (" + durabilityTimeout
							+ "): a call whose durability is not confirmed waits that long for its entry to be applied");
		}
	}

	/** The settings with no coalescing window, as before there was one. */
	public WriteBehindSettings(int batchSize, Duration flushInterval, int concurrency, int partitions,
			int maxAttempts, Duration backoff, Duration maxBackoff, Duration claimIdle, Duration drainTimeout,
			Durability durability, int durabilityReplicas, Duration durabilityTimeout) {
		this(batchSize, flushInterval, concurrency, partitions, maxAttempts, backoff, maxBackoff, claimIdle,
				drainTimeout, durability, durabilityReplicas, durabilityTimeout, Duration.ZERO);
	}

	/** These settings with another coalescing window. */
	public WriteBehindSettings withCoalesceWindow(Duration coalesceWindow) {
		return new WriteBehindSettings(this.batchSize, this.flushInterval, this.concurrency, this.partitions,
				this.maxAttempts, this.backoff, this.maxBackoff, this.claimIdle, this.drainTimeout, this.durability,
				this.durabilityReplicas, this.durabilityTimeout, coalesceWindow);
	}

	private static void requireBetween(String name, int value, int min, int max) {
		if (value < min || value > max) {
			throw new InvalidSettingException("write-behind." + name, value,
					"must be between " + min + " and " + max);
		}
	}

	private static void requirePositive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidSettingException("write-behind." + name, value, "must be positive");
		}
	}

}
