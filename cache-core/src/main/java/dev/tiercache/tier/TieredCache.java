package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.Envelope;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.redis.RemoteCallException;
import dev.tiercache.stampede.Acquisition;
import dev.tiercache.stampede.Lease;
import dev.tiercache.stampede.LoadNotifications;
import dev.tiercache.stampede.SingleFlight;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.RemoteTier.RemoteKey;

/**
 * A Spring {@link Cache} over two tiers: Caffeine in this JVM (L1) and Redis shared by every instance
 * (L2), as its {@link CacheSettings#mode() mode} says.
 *
 * <p><b>Reads</b> go L1, then L2 (an L2 hit fills L1), then the loader. On a miss, one thread per key
 * in this JVM goes on (the others wait for its result), and across all instances only the holder of
 * the key's Redis lease runs the loader; the others wait for the value to be published (woken by
 * pub/sub, bounded by {@link CacheSettings#lockWait()}) and never call the loader unless the holder
 * fails or dies. A loaded value is stored in Redis only while the loader's lease holds; any write to
 * the key revokes the lease, so a slow load never overwrites a newer write. {@code null} is cached
 * as a null marker for {@link CacheSettings#nullTtl()}.
 *
 * <p><b>Types.</b> Redis holds typed JSON without class names, so reads decode to the type the caller
 * names: {@link #get(Object, Type, Callable)}, {@link #get(Object, Class)}, or a
 * {@linkplain #withValueType typed view}. The untyped {@link #get(Object)} decodes to {@code Object}.
 *
 * <p><b>Failures.</b> A loader's exception reaches the caller unchanged and nothing is cached. Redis
 * errors and timeouts never fail a call: they count as L2 misses in {@link #stats()}, the loader runs,
 * and L1 keeps serving. A value that cannot be encoded or is too large is not cached; a stored value
 * that cannot be decoded is deleted and treated as a miss. Writes ({@code put}, {@code evict}) change
 * this JVM's L1 and Redis; other instances see them when their L1 entry expires
 * ({@link CacheSettings#localTtl()}).
 *
 * <p>Thread-safe.
 */
public final class TieredCache implements Cache {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private static final Object NOT_CACHED = new Object();

	private static final long MAX_WAKE_UP_MILLIS = 500;

	private final String name;

	private final CacheSettings settings;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteTier remote;

	private final Executor asyncExecutor;

	private final CacheStats stats = new CacheStats();

	private final SingleFlight loads = new SingleFlight();

	private final Map<Type, Cache> typedViews = new ConcurrentHashMap<>();

	private volatile long lastRemoteErrorLog;

	TieredCache(String name, CacheSettings settings, @Nullable RemoteTier remote, CoarseClock clock,
			Executor asyncExecutor) {
		if (settings.usesRemote() && remote == null) {
			throw new IllegalArgumentException("Cache '" + name + "' uses Redis (mode " + settings.mode()
					+ ") but no Redis connection is configured");
		}
		this.name = name;
		this.settings = settings;
		this.local = settings.usesLocal() ? new LocalTier(settings.localMaxSize(), clock) : null;
		this.remote = settings.usesRemote() ? remote : null;
		this.asyncExecutor = asyncExecutor;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/** Returns this cache; the tiers are internal. */
	@Override
	public Object getNativeCache() {
		return this;
	}

	/** This cache's settings. */
	public CacheSettings settings() {
		return this.settings;
	}

	/** This cache's counters. */
	public CacheStats stats() {
		return this.stats;
	}

	/** How many entries L1 holds (an estimate); zero when the cache has no L1. */
	public long localSize() {
		LocalTier tier = this.local;
		return (tier != null) ? tier.size() : 0;
	}

	/**
	 * A view of this cache whose untyped reads ({@link Cache#get(Object)},
	 * {@link Cache#get(Object, Callable)}, {@code retrieve}) decode to {@code valueType}, and whose
	 * writes record that type. Views are cached per type.
	 */
	public Cache withValueType(Type valueType) {
		return this.typedViews.computeIfAbsent(valueType, (type) -> new TypedCacheView(this, type));
	}

	// ---- reads

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return lookup(key, Object.class);
	}

	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		ValueWrapper found = lookup(key, (type != null) ? type : Object.class);
		if (found == null) {
			return null;
		}
		Object value = found.get();
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException("Cached value for key '" + key + "' in cache '" + this.name + "' is a "
					+ value.getClass().getName() + ", not the required " + type.getName());
		}
		@SuppressWarnings("unchecked")
		T typed = (T) value;
		return typed;
	}

	/**
	 * Returns the cached value, loading it as described in the class documentation on a miss. The value
	 * is decoded as {@code Object}; use {@link #get(Object, Type, Callable)} for typed values.
	 * @throws ValueRetrievalException wrapping what the loader threw
	 */
	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		return get(key, Object.class, valueLoader);
	}

	/**
	 * Read-through: returns the value cached for {@code key}, decoded to {@code type}; on a miss,
	 * runs {@code valueLoader} once across all instances and caches its result.
	 * @throws ValueRetrievalException wrapping what the loader threw
	 */
	public <T> @Nullable T get(Object key, Type type, Callable<T> valueLoader) {
		try {
			@SuppressWarnings("unchecked")
			T value = (T) getOrLoad(key, type, this.settings, valueLoader::call, null);
			return value;
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	/**
	 * Returns what L1 holds for the key, without loading: the value ({@code null} for a cached null),
	 * or {@code absent} when L1 holds nothing. Counts a hit, not a miss. Allocates nothing.
	 */
	public @Nullable Object peekLocal(Object key, Object absent) {
		// readLocal(key, false) inlined by hand: the annotation's hit path sits deep in Spring AOP's call
		// chain, and this one call level measured 1.45x vs 1.84x the proxy floor (LocalHitBenchmark, 3 forks)
		LocalTier tier = this.local;
		LocalTier.LocalEntry entry = (tier != null) ? tier.get(key) : null;
		if (entry == null) {
			return absent;
		}
		this.stats.localHit(entry.value() == null);
		return entry.value();
	}

	/** Reads L1, counting a hit, and a miss when asked; {@code null} when L1 holds nothing. */
	private LocalTier.@Nullable LocalEntry readLocal(Object key, boolean countMiss) {
		LocalTier tier = this.local;
		if (tier == null) {
			return null;
		}
		LocalTier.LocalEntry entry = tier.get(key);
		if (entry != null) {
			this.stats.localHit(entry.value() == null);
		}
		else if (countMiss) {
			this.stats.localMiss();
		}
		return entry;
	}

	/**
	 * The read-through behind every read with a loader: L1, L2, then {@code loader} under the key's
	 * single-flight and lease.
	 * @param type the type values are decoded to and encoded as
	 * @param entrySettings the TTLs to store new entries with (this cache's, or an annotation's
	 * overrides)
	 * @param unless tells which loaded values not to cache; {@code null} caches all
	 * @return the value, {@code null} for a cached or loaded {@code null}
	 * @throws Throwable what the loader threw, unchanged
	 */
	public @Nullable Object getOrLoad(Object key, Type type, CacheSettings entrySettings, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> unless) throws Throwable {
		LocalTier.LocalEntry entry = readLocal(key, true);
		if (entry != null) {
			return entry.value();
		}
		return this.loads.execute(key, () -> readThroughOnce(key, type, entrySettings, loader, unless),
				this.stats::localWait);
	}

	@Nullable ValueWrapper lookup(Object key, Type type) {
		LocalTier.LocalEntry entry = readLocal(key, true);
		if (entry != null) {
			return new SimpleValueWrapper(entry.value());
		}
		RemoteTier l2 = this.remote;
		if (l2 == null) {
			return null;
		}
		try {
			Object value = readRemote(l2, l2.keyOf(this.name, key), key, type);
			return (value != NOT_CACHED) ? new SimpleValueWrapper(value) : null;
		}
		catch (RemoteCallException ex) {
			remoteFailed(ex);
			return null;
		}
	}

	private @Nullable Object readThroughOnce(Object key, Type type, CacheSettings entrySettings, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> unless) throws Throwable {
		LocalTier tier = this.local;
		if (tier != null) {
			LocalTier.LocalEntry entry = tier.get(key);
			if (entry != null) {
				return entry.value();
			}
		}
		RemoteTier l2 = this.remote;
		if (l2 == null) {
			return loadWithoutLease(key, entrySettings, loader, unless);
		}
		RemoteKey remoteKey = l2.keyOf(this.name, key);
		Object cached;
		try {
			cached = readRemote(l2, remoteKey, key, type);
		}
		catch (RemoteCallException ex) {
			remoteFailed(ex);
			return loadWithoutLease(key, entrySettings, loader, unless);
		}
		return (cached != NOT_CACHED) ? cached : loadUnderLease(l2, remoteKey, key, type, entrySettings, loader, unless);
	}

	private @Nullable Object readRemote(RemoteTier l2, RemoteKey remoteKey, Object key, Type type) {
		byte[] framed = l2.commands().get(remoteKey.value());
		if (framed == null) {
			this.stats.remoteMiss();
			return NOT_CACHED;
		}
		return decodeAndFill(l2, remoteKey, key, type, framed);
	}

	private @Nullable Object decodeAndFill(RemoteTier l2, RemoteKey remoteKey, Object key, Type type,
			byte[] framed) {
		Object value;
		Envelope envelope;
		try {
			envelope = Envelope.read(framed);
			value = envelope.nullMarker() ? null : l2.codec()
				.decode(envelope.payloadFormat(), framed, envelope.payloadOffset(), envelope.payloadLength(), type);
		}
		catch (ValueDecodingException ex) {
			this.stats.decodeFailure();
			logger.warn("Tiercache cache '" + this.name + "' deleted an entry it cannot read as "
					+ type.getTypeName() + ": " + ex.getMessage());
			l2.commands().unlink(remoteKey.value());
			this.stats.remoteMiss();
			return NOT_CACHED;
		}
		this.stats.remoteHit(value == null);
		LocalTier tier = this.local;
		if (tier != null) {
			long remaining = envelope.softExpiresAt() - System.currentTimeMillis();
			tier.put(key, value, Math.min(remaining, this.settings.localTtl().toMillis()));
		}
		return value;
	}

	private @Nullable Object loadUnderLease(RemoteTier l2, RemoteKey remoteKey, Object key, Type type,
			CacheSettings entrySettings, ValueLoader loader, @Nullable Predicate<@Nullable Object> unless)
			throws Throwable {
		long deadline = System.nanoTime() + this.settings.lockWait().toNanos();
		boolean waited = false;
		try (LoadNotifications.Waiter waiter = l2.notifications().register(remoteKey.value())) {
			while (true) {
				Acquisition acquisition;
				try {
					acquisition = l2.leases()
						.readOrAcquire(remoteKey.entry(), this.settings.lockLease().toMillis());
					if (acquisition instanceof Acquisition.Found found) {
						Object value = decodeAndFill(l2, remoteKey, key, type, found.value());
						if (value != NOT_CACHED) {
							return value;
						}
						continue;
					}
				}
				catch (RemoteCallException ex) {
					remoteFailed(ex);
					return loadWithoutLease(key, entrySettings, loader, unless);
				}
				if (acquisition instanceof Acquisition.Acquired acquired) {
					return loadAndStore(l2, acquired.lease(), key, type, entrySettings, loader, unless);
				}
				if (!waited) {
					this.stats.remoteWait();
					waited = true;
				}
				long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
				if (remainingMillis <= 0) {
					this.stats.lockTimeout();
					logger.warn("Tiercache cache '" + this.name + "' waited " + this.settings.lockWait().toMillis()
							+ " ms for another instance to load a key and loads it itself; raise lock-wait if"
							+ " loads take longer");
					return loadWithoutLease(key, entrySettings, loader, unless);
				}
				long held = ((Acquisition.Held) acquisition).remainingMillis();
				awaitWakeUp(waiter, Math.min(Math.min(held + 1, MAX_WAKE_UP_MILLIS), remainingMillis));
			}
		}
	}

	private void awaitWakeUp(LoadNotifications.Waiter waiter, long millis) {
		try {
			waiter.await(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(
					"Interrupted while waiting for another instance to load a key of cache '" + this.name + "'", ex);
		}
	}

	private @Nullable Object loadAndStore(RemoteTier l2, Lease lease, Object key, Type type,
			CacheSettings entrySettings, ValueLoader loader, @Nullable Predicate<@Nullable Object> unless)
			throws Throwable {
		long started = System.nanoTime();
		Object value;
		try {
			value = runLoader(loader, started);
		}
		catch (Throwable ex) {
			releaseQuietly(l2, lease);
			throw ex;
		}
		long loadNanos = System.nanoTime() - started;
		long ttl = entrySettings.jitteredTtlMillis(value == null);
		byte[] framed = (ttl > 0 && (unless == null || !unless.test(value)))
				? frame(l2, value, type, ttl, TimeUnit.NANOSECONDS.toMillis(loadNanos)) : null;
		if (framed == null) {
			releaseQuietly(l2, lease);
			return value;
		}
		boolean stored;
		try {
			stored = l2.leases().storeAndRelease(lease, framed, ttl);
		}
		catch (RemoteCallException ex) {
			remoteFailed(ex);
			stored = true;
		}
		if (!stored) {
			this.stats.leaseLost();
			return value;
		}
		fillLocal(key, value, ttl);
		return value;
	}

	private @Nullable Object loadWithoutLease(Object key, CacheSettings entrySettings, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> unless) throws Throwable {
		Object value = runLoader(loader, System.nanoTime());
		if (unless == null || !unless.test(value)) {
			fillLocal(key, value, entrySettings.jitteredTtlMillis(value == null));
		}
		return value;
	}

	/** Runs the loader, counting the load and its time from {@code started}. */
	private @Nullable Object runLoader(ValueLoader loader, long started) throws Throwable {
		try {
			Object value = loader.load();
			this.stats.load(System.nanoTime() - started, false);
			return value;
		}
		catch (Throwable ex) {
			this.stats.load(System.nanoTime() - started, true);
			throw ex;
		}
	}

	private void fillLocal(Object key, @Nullable Object value, long ttlMillis) {
		LocalTier tier = this.local;
		if (tier != null) {
			tier.put(key, value, this.settings.usesRemote() ? Math.min(ttlMillis, this.settings.localTtl().toMillis())
					: ttlMillis);
		}
	}

	private byte @Nullable [] frame(RemoteTier l2, @Nullable Object value, Type type, long ttlMillis,
			long loadMillis) {
		long now = System.currentTimeMillis();
		if (value == null) {
			return Envelope.frameNull(now, now + ttlMillis, loadMillis);
		}
		try {
			EncodedValue encoded = l2.codec().encode(value, type);
			if (encoded.bytes().length + Envelope.HEADER_SIZE > l2.maxValueBytes()) {
				throw new IllegalArgumentException("its encoded size " + encoded.bytes().length
						+ " bytes is over the limit of " + l2.maxValueBytes()
						+ " bytes ('tiercache.max-value-size')");
			}
			return Envelope.frame(encoded, now, now + ttlMillis, loadMillis);
		}
		catch (RuntimeException ex) {
			this.stats.encodeFailure();
			l2.logUnencodable(this.name, value.getClass(), ex);
			return null;
		}
	}

	private void releaseQuietly(RemoteTier l2, Lease lease) {
		try {
			l2.leases().release(lease);
		}
		catch (RemoteCallException ex) {
			remoteFailed(ex);
		}
	}

	private void remoteFailed(RemoteCallException ex) {
		this.stats.remoteError();
		long now = System.nanoTime();
		if (now - this.lastRemoteErrorLog > TimeUnit.SECONDS.toNanos(30) || this.lastRemoteErrorLog == 0) {
			this.lastRemoteErrorLog = now;
			logger.warn("Tiercache cache '" + this.name + "' cannot use Redis and is serving from its loader and L1"
					+ " (further errors within 30 s are logged at debug level): " + ex.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache cache '" + this.name + "' Redis call failed", ex);
		}
	}

	// ---- writes

	@Override
	public void put(Object key, @Nullable Object value) {
		put(key, value, (value != null) ? value.getClass() : Object.class);
	}

	/** Stores a value for the key in both tiers, encoded as {@code type}, revoking any load lease on the key. */
	public void put(Object key, @Nullable Object value, Type type) {
		long ttl = this.settings.jitteredTtlMillis(value == null);
		if (ttl <= 0) {
			evict(key);
			return;
		}
		RemoteTier l2 = this.remote;
		if (l2 != null) {
			RemoteKey remoteKey = l2.keyOf(this.name, key);
			byte[] framed = frame(l2, value, type, ttl, 0);
			try {
				l2.leases().write(remoteKey.entry(), framed, ttl);
			}
			catch (RemoteCallException ex) {
				remoteFailed(ex);
			}
			if (framed == null) {
				evictLocal(key);
				return;
			}
		}
		fillLocal(key, value, ttl);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		return putIfAbsent(key, value, (value != null) ? value.getClass() : Object.class);
	}

	/**
	 * Stores a value unless one is cached; returns the cached one if so. Atomic in Redis.
	 */
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value, Type type) {
		RemoteTier l2 = this.remote;
		if (l2 == null) {
			LocalTier.LocalEntry existing = readLocal(key, false);
			if (existing != null) {
				return new SimpleValueWrapper(existing.value());
			}
			fillLocal(key, value, this.settings.jitteredTtlMillis(value == null));
			return null;
		}
		long ttl = this.settings.jitteredTtlMillis(value == null);
		RemoteKey remoteKey = l2.keyOf(this.name, key);
		byte[] framed = (ttl > 0) ? frame(l2, value, type, ttl, 0) : null;
		if (framed == null) {
			return lookup(key, type);
		}
		try {
			byte[] existing = l2.leases().writeIfAbsent(remoteKey.entry(), framed, ttl);
			if (existing != null) {
				Object current = decodeAndFill(l2, remoteKey, key, type, existing);
				if (current != NOT_CACHED) {
					return new SimpleValueWrapper(current);
				}
				return putIfAbsent(key, value, type);
			}
		}
		catch (RemoteCallException ex) {
			remoteFailed(ex);
			return null;
		}
		fillLocal(key, value, ttl);
		return null;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		boolean present = evictLocal(key);
		RemoteTier l2 = this.remote;
		if (l2 != null) {
			RemoteKey remoteKey = l2.keyOf(this.name, key);
			try {
				present = l2.leases().write(remoteKey.entry(), null, 0) || present;
			}
			catch (RemoteCallException ex) {
				remoteFailed(ex);
			}
		}
		return present;
	}

	private boolean evictLocal(Object key) {
		LocalTier tier = this.local;
		if (tier == null) {
			return false;
		}
		boolean present = tier.get(key) != null;
		tier.evict(key);
		return present;
	}

	/** Removes every entry of this cache from L1 and Redis (a {@code SCAN}; entries written meanwhile may stay). */
	@Override
	public void clear() {
		removeAll();
	}

	/**
	 * Removes every entry, like {@link #clear()}.
	 * @return whether entries were found in either tier
	 */
	@Override
	public boolean invalidate() {
		return removeAll();
	}

	private boolean removeAll() {
		LocalTier tier = this.local;
		boolean found = false;
		if (tier != null) {
			found = tier.size() > 0;
			tier.clear();
		}
		RemoteTier l2 = this.remote;
		if (l2 != null) {
			try {
				found = l2.commands().unlinkMatching(l2.valuePattern(this.name)) > 0 || found;
			}
			catch (RemoteCallException ex) {
				remoteFailed(ex);
			}
		}
		return found;
	}

	// ---- asynchronous reads

	/**
	 * Returns a future of the cached value: completed at once on an L1 hit, otherwise reading Redis on
	 * this cache's executor; it completes with {@code null} on a miss.
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return retrieve(key, Object.class);
	}

	CompletableFuture<@Nullable ValueWrapper> retrieve(Object key, Type type) {
		LocalTier.LocalEntry entry = readLocal(key, false);
		if (entry != null) {
			return CompletableFuture.completedFuture(new SimpleValueWrapper(entry.value()));
		}
		return CompletableFuture.supplyAsync(() -> lookup(key, type), this.asyncExecutor);
	}

	/**
	 * Returns a future of the cached value, loading it with {@code valueLoader} on a miss with the same
	 * single-flight and lease guarantees as {@link #get(Object, Type, Callable)}.
	 */
	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return retrieve(key, Object.class, valueLoader);
	}

	<T> CompletableFuture<T> retrieve(Object key, Type type, Supplier<CompletableFuture<T>> valueLoader) {
		Object local = peekLocal(key, NOT_CACHED);
		if (local != NOT_CACHED) {
			@SuppressWarnings("unchecked")
			T value = (T) local;
			return CompletableFuture.completedFuture(value);
		}
		return CompletableFuture.supplyAsync(() -> get(key, type, () -> valueLoader.get().join()), this.asyncExecutor);
	}

	@Override
	public String toString() {
		return "TieredCache[" + this.name + ", " + this.settings.mode() + "]";
	}

}
