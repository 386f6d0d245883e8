package dev.tiercache.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.tiercache.tier.CacheMode;
import dev.tiercache.writebehind.Durability;

/**
 * Settings of one cache, bound from {@code tiercache.defaults.*} (every cache) and
 * {@code tiercache.caches.<name>.*} (one cache, over the defaults): part of {@link TiercacheProperties}.
 * An unset value is inherited from 'tiercache.defaults'.
 */
public class CacheSpec {

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

	/**
	 * Whether the cache's values are encrypted in Redis (AES-GCM) with the keys under
	 * 'tiercache.encryption'.
	 */
	private @Nullable Boolean encryption;

	/**
	 * Whether the cache keeps nulls. If not, as Spring's caches with 'allowNullValues = false', a put of
	 * null throws IllegalArgumentException, and a null that a method returns is not cached.
	 */
	private @Nullable Boolean allowNullValues;

	/**
	 * The encoded size from which values are stored in Redis compressed (LZ4), when that saves at least
	 * an eighth; 0 compresses nothing. Values of encrypted caches are never compressed.
	 */
	private @Nullable DataSize compressionThreshold;

	private final Local local = new Local();

	private final Lock lock = new Lock();

	private final Bulkhead bulkhead = new Bulkhead();

	private final WriteBehind writeBehind = new WriteBehind();

	private final Guard guard = new Guard();

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

	public @Nullable Boolean getEncryption() {
		return this.encryption;
	}

	public void setEncryption(@Nullable Boolean encryption) {
		this.encryption = encryption;
	}

	public @Nullable Boolean getAllowNullValues() {
		return this.allowNullValues;
	}

	public void setAllowNullValues(@Nullable Boolean allowNullValues) {
		this.allowNullValues = allowNullValues;
	}

	public @Nullable DataSize getCompressionThreshold() {
		return this.compressionThreshold;
	}

	public void setCompressionThreshold(@Nullable DataSize compressionThreshold) {
		this.compressionThreshold = compressionThreshold;
	}

	public Local getLocal() {
		return this.local;
	}

	public WriteBehind getWriteBehind() {
		return this.writeBehind;
	}

	public Guard getGuard() {
		return this.guard;
	}

	public Lock getLock() {
		return this.lock;
	}

	public Bulkhead getBulkhead() {
		return this.bulkhead;
	}

	/**
	 * Bounds this instance's loads of a cache: how many run at once (a resilience4j bulkhead) and how many
	 * keys callers load per second (a resilience4j rate limiter); loads past a bound wait up to
	 * 'max-wait', then fail fast; L1 and Redis hits are not bounded.
	 */
	public static class Bulkhead {

		/**
		 * Most loads of the cache running at once in this instance; 0 for no bound.
		 */
		private @Nullable Integer maxConcurrentLoads;

		/**
		 * Most keys of the cache that callers load per second in this instance (misses in both tiers;
		 * background refreshes of cached keys do not count); 0 for no bound.
		 */
		private @Nullable Integer maxNewKeysPerSecond;

		/**
		 * How long a load past a bound waits for room, or for a permit, before failing.
		 */
		private @Nullable Duration maxWait;

		public @Nullable Integer getMaxConcurrentLoads() {
			return this.maxConcurrentLoads;
		}

		public void setMaxConcurrentLoads(@Nullable Integer maxConcurrentLoads) {
			this.maxConcurrentLoads = maxConcurrentLoads;
		}

		public @Nullable Integer getMaxNewKeysPerSecond() {
			return this.maxNewKeysPerSecond;
		}

		public void setMaxNewKeysPerSecond(@Nullable Integer maxNewKeysPerSecond) {
			this.maxNewKeysPerSecond = maxNewKeysPerSecond;
		}

		public @Nullable Duration getMaxWait() {
			return this.maxWait;
		}

		public void setMaxWait(@Nullable Duration maxWait) {
			this.maxWait = maxWait;
		}

	}

	/**
	 * The cache's penetration guard, a Bloom filter of the keys that exist, filled from the bean method
	 * annotated '@ExistingKeys' for the cache: a key it lacks is answered null without the loader. Set
	 * 'expected-keys' to turn it on (per cache only: not under 'tiercache.defaults').
	 */
	public static class Guard {

		/**
		 * How many keys the filter is sized for (turns the guard on); with more, false positives are more
		 * frequent than 'false-positive-rate'.
		 */
		private @Nullable Long expectedKeys;

		/**
		 * Share of absent keys the filter lets through to the loader when it holds 'expected-keys' keys.
		 */
		private @Nullable Double falsePositiveRate;

		/**
		 * How often each instance copies the filter from Redis (keys in the copy pass without a Redis
		 * call), and checks that Redis holds it (building it from the source if not).
		 */
		private @Nullable Duration refreshInterval;

		public @Nullable Long getExpectedKeys() {
			return this.expectedKeys;
		}

		public void setExpectedKeys(@Nullable Long expectedKeys) {
			this.expectedKeys = expectedKeys;
		}

		public @Nullable Double getFalsePositiveRate() {
			return this.falsePositiveRate;
		}

		public void setFalsePositiveRate(@Nullable Double falsePositiveRate) {
			this.falsePositiveRate = falsePositiveRate;
		}

		public @Nullable Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(@Nullable Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
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

		/**
		 * How long a partition gathers new entries once the flusher caught up with it, before it is read
		 * again (at the next poll after that): the writes of one key within it become one call. 0 (the
		 * default) reads on until the partition is empty, for the shortest lag. Keep it under
		 * 'durability-timeout' with durability 'replica' or 'aof'.
		 */
		private @Nullable Duration coalesceWindow;

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

		public @Nullable Duration getCoalesceWindow() {
			return this.coalesceWindow;
		}

		public void setCoalesceWindow(@Nullable Duration coalesceWindow) {
			this.coalesceWindow = coalesceWindow;
		}

	}

}
