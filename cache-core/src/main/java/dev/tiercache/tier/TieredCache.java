package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.NullValue;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.coherence.TagVersions;
import dev.tiercache.internal.read.BatchLoader;
import dev.tiercache.internal.read.KeyGuard;
import dev.tiercache.internal.read.ResultTags;
import dev.tiercache.internal.read.TypedReads;
import dev.tiercache.internal.read.ValueLoader;
import dev.tiercache.internal.write.CoordinatedWrites;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tracing.CacheTracer;

/**
 * A Spring {@link Cache} over two tiers: Caffeine in this JVM (L1) and Redis shared by every instance
 * (L2), as its {@link CacheSettings#mode() mode} says.
 *
 * <p><b>Reads</b> go L1, then L2 (an L2 hit fills L1), then the loader. On a miss, one thread per key
 * in this JVM goes on (the others wait for its result, for at most {@link CacheSettings#lockWait()}:
 * then one of them takes the load over, and the load given up on stores nothing), and across all
 * instances only the holder of the key's Redis lease runs the loader; the others wait for the value
 * to be published (woken by pub/sub, bounded by {@link CacheSettings#lockWait()}) and never call the
 * loader unless the holder fails or dies. A loaded value is stored in Redis only while the loader's lease holds; any write to
 * the key revokes the lease, so a slow load never overwrites a newer write. In this JVM, a value read
 * or loaded before a {@code put} or {@code evict} completed never replaces it in L1. {@code null} is
 * cached as a null marker for {@link CacheSettings#nullTtl()}. A loader that reads its own key again
 * fails with an {@link IllegalStateException} instead of deadlocking.
 *
 * <p><b>Types.</b> Redis holds typed JSON without class names, so reads decode to the type the caller
 * names: {@link #get(Object, Type, Callable)}, {@link #get(Object, Class)}, or a
 * {@linkplain #withValueType typed view}. The untyped {@link #get(Object)} decodes JSON to maps and
 * lists, and does not put what it decodes into L1; a typed read never receives a value of another
 * type from L1. A read with the wrong type never deletes an entry.
 *
 * <p><b>Failures.</b> A loader's exception reaches the caller (wrapped in
 * {@link ValueRetrievalException} by {@link #get(Object, Callable)}, as the {@code Cache} contract
 * says) and nothing is cached. Redis errors and timeouts never fail a call: they count as L2 misses in
 * {@link #stats()}, the loader runs, and L1 keeps serving. A {@code put} or {@code evict} that Redis
 * did not take is retried as a delete until Redis answers. A value that cannot be encoded or is too
 * large is not cached; a stored value that is corrupt is deleted and treated as a miss.
 *
 * <p><b>Other instances</b> drop their L1 copy of a key when Redis reports its change (server-assisted
 * tracking, or the pub/sub fallback; see {@link dev.tiercache.coherence.L1Coherence}), and clear their
 * L1 when reports may have been missed; {@link CacheSettings#localTtl()} bounds how long a copy lives
 * whatever happens.
 *
 * <p><b>Tags.</b> An entry stored with tags ({@link #put(Object, Object, Collection)}, or a loader's value
 * tagged by {@code @CacheAside(tags)}) is dropped, on every instance, by an {@link #invalidateTag} of one of
 * them made after its value was read; the invalidation is one Redis script however many entries carry the
 * tag, and reads check entries against their tags' versions
 * ({@link dev.tiercache.coherence.TagVersions}).
 *
 * <p>Thread-safe.
 */
public final class TieredCache implements Cache {

	private static final Object ABSENT = new Object();

	private final CacheContext context;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	private final ReadThrough readThrough;

	private final BatchReadThrough batchReadThrough;

	private final CacheLookup lookup;

	private final CacheWrites writes;

	private final StatsRecorder stats;

	private final AsyncRetrieval async;

	private final Map<Type, Cache> typedViews = new ConcurrentHashMap<>();

	TieredCache(String name, CacheSettings settings, @Nullable RedisRuntime redis, CoarseClock clock,
			Executor asyncExecutor, Executor refreshExecutor, TiercacheErrorHandler errorHandler,
			LoadLimits loadLimits, CacheTracer tracer) {
		if (settings.usesRemote() && redis == null) {
			throw new IllegalArgumentException("Cache '" + name + "' uses Redis (mode " + settings.mode()
					+ ") but no Redis connection is configured");
		}
		RedisRuntime mirrored = settings.usesRemote() ? redis : null;
		StatsRecorder recorder = new StatsRecorder();
		TagVersions tags = (mirrored != null) ? mirrored.tags().register(name) : new TagVersions(name, null);
		this.local = settings.usesLocal()
				? new LocalTier(settings.localMaxSize(), clock, (mirrored != null) ? mirrored::render : null, recorder,
						tags)
				: null;
		this.context = new CacheContext(name, settings, this.local, recorder, errorHandler, tracer, tags);
		this.remote = (mirrored != null) ? new RemoteCache(this.context, mirrored) : null;
		LocalFills fills = new LocalFills(this.local, this.remote);
		LoadLeases leases = (mirrored != null) ? new LoadLeases(this.context, mirrored) : null;
		this.readThrough = new ReadThrough(this.context, this.remote, leases, fills, refreshExecutor, loadLimits);
		this.batchReadThrough = new BatchReadThrough(this.context, this.readThrough, this.remote, leases);
		this.lookup = new CacheLookup(this.context, this.remote, fills);
		RemoteIntents intents = (mirrored != null && this.remote != null)
				? new RemoteIntents(this.context, mirrored, this.remote) : null;
		this.writes = new CacheWrites(this.context, this.remote, intents, this.lookup);
		this.stats = this.context.stats();
		this.async = new AsyncRetrieval(this, asyncExecutor);
	}

	@Override
	public String getName() {
		return this.context.name();
	}

	/** Returns this cache; the tiers are internal. */
	@Override
	public Object getNativeCache() {
		return this;
	}

	/** This cache's settings. */
	public CacheSettings settings() {
		return this.context.settings();
	}

	/** A snapshot of this cache's counters. */
	public CacheStats stats() {
		return this.stats.snapshot();
	}

	/**
	 * Hands the time of every load of this cache, in nanoseconds, to {@code listener} (a timer), on the
	 * thread that loaded; replaces any listener set before. Hits never call it.
	 */
	public void recordLoadTimes(LongConsumer listener) {
		this.stats.onLoad(listener);
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

	/** Returns the cached value wrapped, decoded as {@code Object} (JSON as maps and lists). */
	@Override
	public @Nullable ValueWrapper get(Object key) {
		return lookup(key, Object.class, false);
	}

	/**
	 * Returns the cached value if it is of the given type.
	 * @throws IllegalStateException if a value is cached that is not of that type (the entry stays)
	 */
	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		Class<?> required = (type != null) ? type : Object.class;
		ValueWrapper found = lookup(key, required, true);
		if (found == null) {
			return null;
		}
		Object value = found.get();
		if (value != null && !Types.rawClass(required).isInstance(value)) {
			throw this.lookup.wrongType(key, required, value.getClass().getName());
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
	 * @throws IllegalStateException if the loader reads the same key of this cache
	 */
	public <T> @Nullable T get(Object key, Type type, Callable<T> valueLoader) {
		Class<?> rawType = Types.rawClass(type);
		Object local = peekLocal(key, type, rawType, ABSENT);
		if (local != ABSENT) {
			@SuppressWarnings("unchecked")
			T value = (T) local;
			return value;
		}
		return readThrough(key, type, rawType, valueLoader);
	}

	/** {@link #get(Object, Type, Callable)} once {@link #peekLocal} missed. */
	<T> @Nullable T readThrough(Object key, Type type, Class<?> rawType, Callable<T> valueLoader) {
		try {
			@SuppressWarnings("unchecked")
			T value = (T) readThroughGuarded(load(key, type, rawType, settings(), () -> {
				Object loaded;
				try {
					loaded = valueLoader.call();
				}
				catch (Exception ex) {
					throw new ValueRetrievalException(key, valueLoader, ex);
				}
				if (loaded == null && !settings().allowNullValues()) {
					throw new ValueRetrievalException(key, valueLoader, new IllegalArgumentException(nullsRefused()));
				}
				return loaded;
			}, null, null));
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
	 * Batch read-through: returns the values cached for {@code keys}, decoded to {@code type}, loading
	 * those that neither L1 nor Redis holds with one call of {@code loader}, which is given only the
	 * missing keys. One pass over L1, then one {@code MGET} for the keys it misses; each key then keeps
	 * the guarantees of {@link #get(Object, Type, Callable)}: a key that another thread or instance is
	 * loading is waited for, not loaded again, and each loaded value is stored under its key's lease. A
	 * key the loader does not return is cached as {@code null} (for {@code null-ttl}, if the cache allows
	 * nulls) and left out of the result.
	 * @param keys the keys to read (repeats are read once)
	 * @param loader loads the missing keys: their values by key
	 * @return the keys' values, in the order of {@code keys}, without the keys that have none
	 * @throws IllegalArgumentException if a key cannot be named in Redis
	 * @throws RuntimeException what the loader threw, unchanged
	 */
	public <K, V> Map<K, V> getAll(Collection<? extends K> keys, Type type,
			Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> loader) {
		Map<Object, @Nullable Object> found;
		try {
			found = readAll(keys, type, settings(), (missing) -> {
				@SuppressWarnings("unchecked")
				Set<K> missingKeys = (Set<K>) new LinkedHashSet<>(missing);
				return loader.apply(Collections.unmodifiableSet(missingKeys));
			}, settings().allowNullValues() ? null : Objects::isNull);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Batch load of " + keys.size() + " keys of " + this + " failed", ex);
		}
		Map<K, V> values = new LinkedHashMap<>(found.size() * 2);
		for (K key : keys) {
			Object value = found.get(key);
			if (value != null) {
				@SuppressWarnings("unchecked")
				V typed = (V) value;
				values.put(key, typed);
			}
		}
		return values;
	}

	/**
	 * The batch read-through behind {@link #getAll} and batch methods: see {@link TypedReads#getAll}.
	 * @return every key's value, {@code null} for a cached or loaded {@code null}
	 */
	Map<Object, @Nullable Object> readAll(Collection<?> keys, Type type, CacheSettings entrySettings,
			BatchLoader loader, @Nullable Predicate<@Nullable Object> unless) throws Throwable {
		Class<?> rawType = Types.rawClass(type);
		Map<Object, @Nullable Object> values = new HashMap<>(keys.size() * 2);
		List<Load> missing = new ArrayList<>();
		for (Object key : new LinkedHashSet<>(keys)) {
			Object local = peekLocal(key, type, rawType, ABSENT);
			if (local != ABSENT) {
				values.put(key, local);
			}
			else {
				missing.add(load(key, type, rawType, entrySettings, () -> loadAlone(loader, key), unless, null));
			}
		}
		if (!missing.isEmpty()) {
			values.putAll(this.batchReadThrough.readAll(missing, loader));
		}
		return values;
	}

	/** Loads one key with a batch loader: for a key of a batch read on its own (see {@link BatchReadThrough}). */
	private static @Nullable Object loadAlone(BatchLoader loader, Object key) throws Throwable {
		Map<?, ?> loaded = loader.load(List.of(key));
		return (loaded != null) ? loaded.get(key) : null;
	}

	/**
	 * What L1 holds for the key if a caller reading values of {@code type} may have it, or {@code absent};
	 * see {@link TypedReads#peek}.
	 * @param rawType the raw class of {@code type}
	 */
	@Nullable Object peekLocal(Object key, Type type, Class<?> rawType, Object absent) {
		// kept small and flat: the annotation's hit path (through CacheReads) sits deep in Spring AOP's call
		// chain; LocalHitBenchmark measures it (benchmarks/results/comparisons)
		LocalTier tier = this.local;
		LocalEntry entry = (tier != null) ? tier.get(key) : null;
		if (entry == null) {
			return absent;
		}
		Object value = entry.value();
		if (!Types.readableAs(value, entry.decodedAs(), type, rawType)) {
			return absent;
		}
		this.stats.localHit(value == null);
		return value;
	}

	/**
	 * The read-through behind every read with a loader, once {@link #peekLocal} missed; see
	 * {@link TypedReads#getOrLoad}.
	 * @param entrySettings the TTLs to store new entries with (this cache's, or an annotation's overrides)
	 */
	@Nullable Object getOrLoad(Object key, Type type, Class<?> rawType, CacheSettings entrySettings, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> unless, @Nullable ResultTags tags) throws Throwable {
		return readThroughGuarded(load(key, type, rawType, entrySettings, loader, unless, tags));
	}

	/** What traces this cache's loads, its calls to Redis and the write-behind flushes of its queued writes. */
	public CacheTracer tracer() {
		return this.context.tracer();
	}

	/**
	 * This cache's reads of values of {@code type}, storing what they load with {@code entrySettings}'
	 * TTLs: what an annotated method's advice takes once and calls on every call. Internal: not an API,
	 * and it may change in any release.
	 */
	public TypedReads reads(Type type, CacheSettings entrySettings) {
		return new CacheReads(this, type, entrySettings);
	}

	/** Renders the key as Redis would name it, if the cache uses Redis: see {@link TypedReads#requireNameable}. */
	void requireNameable(Object key) {
		RemoteCache l2 = this.remote;
		if (l2 != null) {
			l2.render(key);
		}
	}

	/**
	 * A read that missed L1, with its key rendered as Redis names it (once, here), and the cache's tag clock
	 * as it is before anything is read, for the tags of what it loads.
	 */
	private Load load(Object key, Type type, Class<?> rawType, CacheSettings entrySettings, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> unless, @Nullable ResultTags tags) {
		RemoteCache l2 = this.remote;
		return new Load(key, (l2 != null) ? l2.render(key) : null, type, rawType, entrySettings, loader, unless, tags,
				(tags != null) ? this.context.tags().stamp() : 0);
	}

	/**
	 * Reads a key L1 missed through Redis and the loader, unless the cache's guard refuses it: then
	 * {@code null}, with nothing read, loaded or stored.
	 */
	private @Nullable Object readThroughGuarded(Load load) throws Throwable {
		KeyGuard guard = this.context.guard();
		String rendered = load.redisName();
		if (guard == null || rendered == null) {
			return this.readThrough.get(load);
		}
		return switch (guard.check(rendered)) {
			case PASS -> this.readThrough.get(load);
			case REFUSE -> null;
			case AUDIT -> {
				Object value = this.readThrough.get(load);
				if (value != null) {
					guard.found(rendered);
				}
				yield value;
			}
		};
	}

	/**
	 * Guards this cache's reads with {@code guard} from now on (or no more, with {@code null}): see
	 * {@link KeyGuard}. Single-key reads are guarded; a batch read's loader is called for every key it
	 * misses.
	 * @throws IllegalStateException if the cache does not use Redis, which names the keys the guard knows
	 */
	public void guardWith(@Nullable KeyGuard guard) {
		if (guard != null && this.remote == null) {
			throw new IllegalStateException("Cache '" + getName() + "' has no Redis tier (mode " + settings().mode()
					+ "); a penetration guard needs one: its filter is shared in Redis");
		}
		this.context.guardWith(guard);
	}

	/**
	 * Tells this cache's guard, if it has one, that the key Redis names {@code renderedKey} is written
	 * outside the cache's own writes (a queued write applied to the backing store). Internal: not an API.
	 */
	public void keyNamedWritten(String renderedKey) {
		KeyGuard guard = this.context.guard();
		if (guard != null) {
			guard.added(renderedKey);
		}
	}

	/**
	 * Looks a key up in L1 then Redis without loading.
	 * @param strict whether a value cached with another type is an error ({@code get(key, Class)}) or a
	 * miss (a typed view's {@code get(key)}, after which Spring's interceptor loads and puts)
	 * @throws IllegalStateException if strict and a value is cached that cannot be read as {@code type}
	 */
	@Nullable ValueWrapper lookup(Object key, Type type, boolean strict) {
		return this.lookup.lookup(key, type, strict);
	}

	// ---- writes

	@Override
	public void put(Object key, @Nullable Object value) {
		Object stored = storable(value);
		this.writes.put(key, stored, (stored != null) ? stored.getClass() : Object.class);
	}

	/**
	 * Stores a value for the key in both tiers, encoded as {@code type}, revoking any load lease on the
	 * key. If Redis does not take it, the key is deleted from Redis once Redis answers again. If another
	 * write of the key (on this instance or another) raced this one, L1 keeps this value only while a
	 * check finds it in Redis. A key with a write queued for the backing store ({@code @WriteBehind}) is
	 * not written over: it is deleted in both tiers instead, and reads get the queued write.
	 */
	public void put(Object key, @Nullable Object value, Type type) {
		this.writes.put(key, storable(value), type);
	}

	/**
	 * Stores a value for the key in both tiers, as {@link #put(Object, Object)} does, tagged: an
	 * {@link #invalidateTag} of one of {@code tags} made from now on, on any instance, drops it.
	 * @param tags the entry's tags (repeats count once; none stores it untagged)
	 * @throws IllegalArgumentException if a tag is blank, longer than {@value EntryTags#MAX_TAG_BYTES} bytes in
	 * UTF-8 or holds a lone surrogate, or there are more than {@value EntryTags#MAX_TAGS}
	 */
	public void put(Object key, @Nullable Object value, Collection<String> tags) {
		Object stored = storable(value);
		this.writes.put(key, stored, (stored != null) ? stored.getClass() : Object.class, tagged(tags));
	}

	/** Stores a value tagged, as {@link #put(Object, Object, Collection)} does. */
	public void put(Object key, @Nullable Object value, String... tags) {
		put(key, value, List.of(tags));
	}

	/**
	 * Stores a value tagged, encoded as {@code type}: see {@link #put(Object, Object, Type)} and
	 * {@link #put(Object, Object, Collection)}.
	 */
	public void put(Object key, @Nullable Object value, Type type, Collection<String> tags) {
		this.writes.put(key, storable(value), type, tagged(tags));
	}

	/**
	 * What makes a text unfit to be a tag, or {@code null} if it is one: a tag is not blank, holds no lone
	 * surrogate, and is at most {@value EntryTags#MAX_TAG_BYTES} bytes in UTF-8.
	 */
	public static @Nullable String tagProblem(@Nullable String tag) {
		return EntryTags.problem(tag);
	}

	private @Nullable EntryTags tagged(Collection<String> tags) {
		return EntryTags.of(tags, this.context.tags().stamp());
	}

	/**
	 * Drops every entry that carries the tag, on every instance, in one Redis round trip however many do:
	 * the tag's version moves on, and each entry is checked against its tags' versions when read. This
	 * instance serves none of them from the call on; other instances learn of it when Redis reports the
	 * change (and at the latest within {@link dev.tiercache.coherence.Tags#READ_INTERVAL} if a report is
	 * lost). A load in flight stores a value that counts as dropped, since it may have read the data
	 * before the change. If Redis fails, the invalidation is made once Redis answers, and this instance
	 * serves no entry that carries the tag meanwhile.
	 * @throws IllegalArgumentException if the tag is blank, too long or holds a lone surrogate
	 */
	public void invalidateTag(String tag) {
		this.writes.invalidateTag(EntryTags.requireTag(tag));
	}

	/**
	 * The value to store for one given to {@code put}: {@code null} for Spring's {@link NullValue}, as
	 * Spring's own caches read it back.
	 * @throws IllegalArgumentException for {@code null} if this cache does not
	 * {@linkplain CacheSettings#allowNullValues() allow null values}
	 */
	private @Nullable Object storable(@Nullable Object value) {
		Object stored = (value instanceof NullValue) ? null : value;
		if (stored == null && !settings().allowNullValues()) {
			throw new IllegalArgumentException(nullsRefused());
		}
		return stored;
	}

	private String nullsRefused() {
		return "Cache '" + getName() + "' is configured to not allow null values but null was provided"
				+ " (set 'tiercache.caches." + getName() + ".allow-null-values' to keep nulls)";
	}

	/**
	 * What this cache coordinates with Tiercache's own write patterns and write-behind queue: write
	 * intents, revoked loads, staged writes and pending writes. Internal: not an API, and it may change
	 * in any release.
	 */
	public CoordinatedWrites coordinatedWrites() {
		return this.writes;
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		Object stored = storable(value);
		return this.writes.putIfAbsent(key, stored, (stored != null) ? stored.getClass() : Object.class);
	}

	/**
	 * Stores a value unless one is cached; returns the cached one if so. Atomic in Redis.
	 */
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value, Type type) {
		return this.writes.putIfAbsent(key, storable(value), type);
	}

	/**
	 * The keys read most often lately among those in L1, hottest first, by name: as Redis names them
	 * (such as {@code #l:42} for the {@code Long} 42) when the cache uses Redis, their
	 * {@code String.valueOf} otherwise. Empty without L1.
	 */
	public List<String> hottestKeys(int limit) {
		LocalTier tier = this.local;
		return (tier != null) ? tier.hottest(limit) : List.of();
	}

	/**
	 * The keys of this cache that its instances reported as read most often lately (each reports its
	 * {@link #hottestKeys} every 10 seconds, when its manager is built to), hottest first, up to
	 * {@code limit}, as keys of {@code keyType}: a name that is not the rendering of a key of that type (a
	 * {@code String}, a primitive or its box, a {@code UUID}, an enum constant) is left out. For a new
	 * instance to warm its L1 with. Empty for a cache without L1 or Redis, and while Redis does not answer.
	 * @throws IllegalArgumentException if {@code limit} is not positive
	 */
	public <T> List<T> reportedHotKeys(int limit, Class<T> keyType) {
		if (limit < 1) {
			throw new IllegalArgumentException("limit must be at least 1, not " + limit);
		}
		RemoteCache remote = this.remote;
		return (remote != null && this.local != null) ? remote.reportedHotKeys(limit, keyType) : List.of();
	}

	/**
	 * The key as Redis names it: what {@link #evictNamed} takes and a {@link KeyGuard} is told.
	 * @throws IllegalStateException if the cache does not use Redis
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	public String redisName(Object key) {
		RemoteCache remote = this.remote;
		if (remote == null) {
			throw new IllegalStateException("Cache '" + getName() + "' does not use Redis (mode " + settings().mode()
					+ "), so its keys have no Redis names");
		}
		return remote.render(key);
	}

	/**
	 * Evicts a key given by name, as {@link #hottestKeys} names it: for an operator who has no key
	 * object. A key in L1 is evicted as {@link #evictIfPresent} does; otherwise, when the cache uses
	 * Redis, the entry Redis names so is deleted (and dropped from every instance's L1).
	 * @return whether either tier held it
	 */
	public boolean evictNamed(String name) {
		return this.writes.evictNamed(name);
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	/**
	 * Removes the key from Redis (revoking any load lease) and then from L1. If Redis does not take
	 * the delete, it is retried until Redis answers.
	 * @return whether either tier held it
	 */
	@Override
	public boolean evictIfPresent(Object key) {
		return this.writes.evictIfPresent(key);
	}

	/**
	 * Removes every entry of this cache, in one Redis round trip however many there are: the cache's
	 * namespace version, part of every key, is bumped, so old entries are no longer read (they age out
	 * by their TTL) and loads in flight store where nobody reads; then L1 is cleared. Other instances
	 * learn of it within a second and clear their L1 then. If Redis fails, the bump is made once Redis
	 * answers.
	 */
	@Override
	public void clear() {
		invalidate();
	}

	/**
	 * Removes every entry, like {@link #clear()}.
	 * @return whether L1 held entries (what Redis held is not known: it is not scanned)
	 */
	@Override
	public boolean invalidate() {
		return this.writes.invalidate();
	}

	/** What this cache's parts share; for the manager. */
	CacheContext context() {
		return this.context;
	}

	// ---- asynchronous reads

	/**
	 * Returns a future of the cached value: completed at once on an L1 hit, otherwise reading Redis on
	 * this cache's executor (never the caller's thread or the common pool); it completes with
	 * {@code null} on a miss.
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return retrieve(key, Object.class);
	}

	CompletableFuture<@Nullable ValueWrapper> retrieve(Object key, Type type) {
		return this.async.retrieve(key, type);
	}

	/**
	 * Returns a future of the cached value, loading it with {@code valueLoader} on a miss with the same
	 * single-flight and lease guarantees as {@link #get(Object, Type, Callable)}. Waiting for Redis,
	 * for another loader or for the returned future happens on this cache's executor.
	 */
	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return retrieve(key, Object.class, valueLoader);
	}

	<T> CompletableFuture<T> retrieve(Object key, Type type, Supplier<CompletableFuture<T>> valueLoader) {
		return this.async.retrieve(key, type, valueLoader);
	}

	@Override
	public String toString() {
		return "TieredCache[" + getName() + ", " + settings().mode() + "]";
	}

}
