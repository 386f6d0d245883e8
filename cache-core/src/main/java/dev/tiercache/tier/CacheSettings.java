package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * The settings of one cache, or of one annotated method's entries: immutable, validated on
 * construction; each {@code with…} method returns a copy.
 *
 * @param mode which tiers the cache uses
 * @param ttl how long an entry lives in Redis (and at most in Caffeine)
 * @param ttlJitter the percentage (0 to 100) by which each stored TTL is randomly shortened, so that
 * entries written together do not expire together: an entry lives between
 * {@code ttl * (100 - ttlJitter) / 100} and {@code ttl}
 * @param nullTtl how long a {@code null} result is cached; zero caches no {@code null}
 * @param localMaxSize how many entries Caffeine holds at most
 * @param localTtl how long an entry lives in Caffeine when Redis is also used; bounds how stale one
 * instance can be after another changes a value
 * @param lockLease how long a load lease lasts without renewal; the holder renews it while it loads,
 * so this bounds how long others wait for a holder that died
 * @param lockWait how long a caller waits for another caller's load (another thread's in this JVM, or
 * another instance's) before loading itself; also
 * how long a loader keeps renewing its lease, so that a loader hung on a database call does not hold
 * its key for ever (a load that outlasts {@code lockWait} still returns its value, but is stored only
 * if its lease has not lapsed)
 * @param freshness refresh-ahead, stale-while-revalidate, early expiry and fail-safe
 * @param allowNullValues whether the cache keeps {@code null}s: if not, as Spring's caches with
 * {@code allowNullValues = false}, {@link TieredCache#put} of {@code null} throws
 * {@link IllegalArgumentException}, a loader of {@link TieredCache#get(Object, java.util.concurrent.Callable)}
 * that returns {@code null} fails, and a {@code null} that an annotated method returns or writes is
 * not cached (its key is evicted), whatever {@code nullTtl} says
 * @param compressionThreshold the encoded size in bytes from which a value is stored in Redis compressed
 * (LZ4), if that saves at least an eighth of it; {@code 0} compresses nothing. Values of encrypted caches
 * are never compressed.
 */
public record CacheSettings(CacheMode mode, Duration ttl, int ttlJitter, Duration nullTtl, long localMaxSize,
		Duration localTtl, Duration lockLease, Duration lockWait, Freshness freshness, boolean allowNullValues,
		int compressionThreshold) {

	/** The encoded size from which values are compressed unless a cache says otherwise. */
	public static final int DEFAULT_COMPRESSION_THRESHOLD = 4 * 1024;

	/** The settings of a cache that nothing overrides. */
	public static final CacheSettings DEFAULTS = new CacheSettings(CacheMode.BOTH, Duration.ofMinutes(10), 10,
			Duration.ofMinutes(1), 10_000, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
			Freshness.NONE, true, DEFAULT_COMPRESSION_THRESHOLD);

	/**
	 * @throws InvalidSettingException naming the setting and the value if a setting is out of range
	 */
	public CacheSettings {
		requirePositive("ttl", ttl);
		if (ttlJitter < 0 || ttlJitter > 100) {
			throw new InvalidSettingException("ttl-jitter", ttlJitter, "must be a percentage between 0 and 100");
		}
		requireNotNegative("null-ttl", nullTtl);
		if (localMaxSize < 0) {
			throw new InvalidSettingException("local.max-size", localMaxSize, "must be zero or positive");
		}
		requirePositive("local.ttl", localTtl);
		requirePositive("lock.lease", lockLease);
		requireNotNegative("lock.wait", lockWait);
		if (compressionThreshold < 0) {
			throw new InvalidSettingException("compression-threshold", compressionThreshold,
					"must be zero (no compression) or positive");
		}
	}

	/**
	 * Settings that keep {@code null}s ({@code allowNullValues} true) and compress from
	 * {@link #DEFAULT_COMPRESSION_THRESHOLD}.
	 */
	public CacheSettings(CacheMode mode, Duration ttl, int ttlJitter, Duration nullTtl, long localMaxSize,
			Duration localTtl, Duration lockLease, Duration lockWait, Freshness freshness) {
		this(mode, ttl, ttlJitter, nullTtl, localMaxSize, localTtl, lockLease, lockWait, freshness, true,
				DEFAULT_COMPRESSION_THRESHOLD);
	}

	private static void requirePositive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidSettingException(name, value, "must be positive");
		}
	}

	private static void requireNotNegative(String name, Duration value) {
		if (value.isNegative()) {
			throw new InvalidSettingException(name, value, "must be zero or positive");
		}
	}

	public CacheSettings withMode(CacheMode mode) {
		return new CacheSettings(mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withTtl(Duration ttl) {
		return new CacheSettings(this.mode, ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withTtlJitter(int ttlJitter) {
		return new CacheSettings(this.mode, this.ttl, ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withNullTtl(Duration nullTtl) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withLocalMaxSize(long localMaxSize) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withLocalTtl(Duration localTtl) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, localTtl,
				this.lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withLockLease(Duration lockLease) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				lockLease, this.lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withLockWait(Duration lockWait) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, lockWait, this.freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withFreshness(Freshness freshness) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, freshness,
				this.allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withAllowNullValues(boolean allowNullValues) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness, allowNullValues, this.compressionThreshold);
	}

	public CacheSettings withCompressionThreshold(int compressionThreshold) {
		return new CacheSettings(this.mode, this.ttl, this.ttlJitter, this.nullTtl, this.localMaxSize, this.localTtl,
				this.lockLease, this.lockWait, this.freshness, this.allowNullValues, compressionThreshold);
	}

	/**
	 * These settings with the ones {@code overrides} sets laid over them: the one function that applies
	 * {@code tiercache.defaults.*} over the built-in defaults, {@code tiercache.caches.<name>.*} over
	 * those, and an annotation's attributes over its cache's settings.
	 * @throws InvalidSettingException naming the first setting that is out of range in the result
	 */
	public CacheSettings with(Overrides overrides) {
		Freshness fresh = this.freshness;
		Freshness laid = new Freshness(or(overrides.refreshAhead(), fresh.refreshAhead()),
				or(overrides.staleWhileRevalidate(), fresh.staleWhileRevalidate()),
				or(overrides.earlyExpiryBeta(), fresh.earlyExpiryBeta()),
				(overrides.failSafe() != null) ? overrides.failSafe() : fresh.failSafe());
		return new CacheSettings(or(overrides.mode(), this.mode), or(overrides.ttl(), this.ttl),
				or(overrides.ttlJitter(), this.ttlJitter), or(overrides.nullTtl(), this.nullTtl),
				or(overrides.localMaxSize(), this.localMaxSize), or(overrides.localTtl(), this.localTtl),
				or(overrides.lockLease(), this.lockLease), or(overrides.lockWait(), this.lockWait), laid,
				this.allowNullValues, this.compressionThreshold);
	}

	private static <T> T or(@Nullable T override, T value) {
		return (override != null) ? override : value;
	}

	/** How long Redis keeps an entry whose soft TTL is {@code ttlMillis}: longer by the stale window or fail-safe. */
	long redisTtlMillis(long ttlMillis) {
		return ttlMillis + this.freshness.retainedMillis();
	}

	/** Whether Caffeine is used. */
	public boolean usesLocal() {
		return this.mode != CacheMode.REMOTE;
	}

	/** Whether Redis is used. */
	public boolean usesRemote() {
		return this.mode != CacheMode.LOCAL;
	}

	/**
	 * A time to live for one new entry: {@code ttl} (or {@code nullTtl} for a {@code null}) shortened
	 * by a random share of at most {@code ttlJitter} percent. Zero means "do not cache", as for every
	 * {@code null} of a cache that does not {@code allowNullValues}.
	 */
	public long jitteredTtlMillis(boolean nullValue) {
		if (nullValue && !this.allowNullValues) {
			return 0;
		}
		long base = (nullValue ? this.nullTtl : this.ttl).toMillis();
		if (base <= 0 || this.ttlJitter == 0) {
			return base;
		}
		long spread = base * this.ttlJitter / 100;
		return Math.max(1, base - ThreadLocalRandom.current().nextLong(spread + 1));
	}

	/**
	 * Settings to lay over others with {@link CacheSettings#with(Overrides)}: each non-{@code null}
	 * component replaces the one beneath it, each {@code null} keeps it. Components are as in
	 * {@link CacheSettings} and {@link Freshness}. Immutable.
	 */
	public record Overrides(@Nullable CacheMode mode, @Nullable Duration ttl, @Nullable Integer ttlJitter,
			@Nullable Duration nullTtl, @Nullable Long localMaxSize, @Nullable Duration localTtl,
			@Nullable Duration lockLease, @Nullable Duration lockWait, @Nullable Double refreshAhead,
			@Nullable Duration staleWhileRevalidate, @Nullable Double earlyExpiryBeta, @Nullable Duration failSafe) {

		/** Overrides that override nothing. */
		public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null, null,
				null, null);

	}

}
