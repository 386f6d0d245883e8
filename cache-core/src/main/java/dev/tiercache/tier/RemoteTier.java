package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.codec.ValueTypeMismatchException;
import dev.tiercache.coherence.Coherence;
import dev.tiercache.coherence.L1Coherence;
import dev.tiercache.coherence.NamespaceReader;
import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.stampede.Acquisition;
import dev.tiercache.internal.stampede.Lease;
import dev.tiercache.internal.stampede.LeaseLocks;
import dev.tiercache.internal.stampede.WriteIntents;
import dev.tiercache.internal.stampede.WriteIntents.Intent;
import dev.tiercache.internal.stampede.LoadNotifications;

/**
 * The L2 tier shared by every cache of one manager: reads (read, decode, delete if corrupt), writes
 * (frame, write, evict, clear) and the lease protocol, all behind one error policy: a Redis failure
 * never reaches the caller. A key whose cache's namespace version is not known yet fails like Redis. It is counted and logged through the cache's {@link CacheContext}, the
 * read counts as a miss, and a write that failed is {@linkplain RemoteRepairs retried} as a delete
 * until Redis answers, so Redis never keeps a value the application replaced or removed.
 *
 * <p>Keys are laid out by {@link RedisKeys}: an entry's keys name its cache, the cache's namespace
 * version (bumped to clear the cache, and never used below the cache's {@linkplain CacheContext floor})
 * and the {@link KeyRenderer rendered} key. Thread-safe.
 */
final class RemoteTier implements AutoCloseable, NamespaceReader {

	/** How often each cache's namespace version is read from Redis, to learn of clears made elsewhere. */
	static final Duration NAMESPACE_READ_INTERVAL = Duration.ofSeconds(1);

	/**
	 * How long a registered write of a key's backing data is remembered at most: a writer that takes
	 * longer, or crashed, makes the writes that overlap it delete rather than store until then.
	 */
	static final Duration LONGEST_WRITE = Duration.ofSeconds(30);

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

	private static final Log logger = LogFactory.getLog(RemoteTier.class);

	private final RemoteCommands commands;

	private final Coherence coherence;

	private final RedisKeys keys;

	private final byte[] channel;

	private final ValueCodec codec;

	private final int maxValueBytes;

	private final LeaseLocks leases;

	private final WriteIntents intents;

	private final LoadNotifications notifications = new LoadNotifications();

	private final RemoteRepairs repairs;

	private final L1Coherence l1;

	private final KeyRenderer renderer = new KeyRenderer();

	private final Set<Class<?>> unencodableClasses = ConcurrentHashMap.newKeySet();

	private final Map<String, CacheContext> caches = new ConcurrentHashMap<>();

	private final ScheduledExecutorService namespaceReader = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-namespaces"));

	/** Whether loads take leases; not between {@link #stopLeasing()} and {@link #startLeasing()}. */
	private volatile boolean leasing = true;

	RemoteTier(RemoteCommands commands, Coherence coherence, RedisKeys keys, ValueCodec codec, int maxValueBytes,
			Duration shortestLease, int maxPendingRepairs) {
		this.commands = commands;
		this.coherence = coherence;
		this.keys = keys;
		this.channel = keys.loadsChannel();
		this.codec = codec;
		this.maxValueBytes = maxValueBytes;
		this.leases = new LeaseLocks(commands, this.channel, shortestLease);
		this.intents = new WriteIntents(commands, this.channel, LONGEST_WRITE);
		this.repairs = new RemoteRepairs(maxPendingRepairs);
		this.l1 = new L1Coherence(keys, commands, this.namespaceReader, this);
		long interval = NAMESPACE_READ_INTERVAL.toMillis();
		this.namespaceReader.scheduleWithFixedDelay(this::readNamespaces, interval, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * The Redis keys of a cache entry in the cache's current namespace; unresolved (every use then
	 * counts as a Redis failure) while the namespace version is not known.
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	RemoteKey keyOf(CacheContext cache, Object key) {
		return keyOf(cache, render(key), key);
	}

	/** The Redis keys of an entry whose key Redis names {@code rendered}, in the cache's current namespace. */
	private RemoteKey keyOf(CacheContext cache, String rendered, Object key) {
		return keyIn(cache, rendered, key, cache.namespace());
	}

	/** The Redis keys of a cache entry in a given namespace version of the cache (as it was earlier). */
	RemoteKey keyIn(CacheContext cache, Object key, long namespace) {
		return keyIn(cache, render(key), key, namespace);
	}

	private RemoteKey keyIn(CacheContext cache, String rendered, Object key, long namespace) {
		byte[] value = (namespace != CacheContext.UNKNOWN_NAMESPACE) ? this.keys.value(cache.name(), namespace, rendered)
				: null;
		return new RemoteKey(this.keys, value, rendered, cache.name(), namespace, key, cache.pendingWrites());
	}

	/**
	 * The Redis keys of a cache entry in the cache's current namespace, reading the namespace version
	 * now if it is not known yet (at start-up, before Redis answered).
	 * @throws RemoteCallException if the namespace version cannot be read
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	RemoteKey resolvedKeyOf(CacheContext cache, Object key) {
		RemoteKey remoteKey = keyOf(cache, key);
		if (!remoteKey.resolved()) {
			readNamespaceNow(cache);
			remoteKey = keyOf(cache, key);
			remoteKey.value();
		}
		return remoteKey;
	}

	/**
	 * The key as it is named in Redis, without the cache and namespace.
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	String render(Object key) {
		return this.renderer.render(key);
	}

	/**
	 * Adds a cache whose namespace version this tier keeps up to date, reading it now when
	 * {@code readNow} (bounded by the Redis timeout), otherwise with the next periodic read.
	 */
	void register(CacheContext cache, boolean readNow) {
		this.caches.put(cache.name(), cache);
		if (cache.local() != null) {
			this.l1.follow(cache);
		}
		if (readNow) {
			readNamespace(cache);
		}
	}

	/** Reads the namespace version of every registered cache now, stopping at the first Redis failure. */
	void readNamespaces() {
		for (CacheContext cache : this.caches.values()) {
			if (!readNamespace(cache)) {
				return;
			}
		}
	}

	/**
	 * Reads one cache's namespace version; one that went below the cache's floor (the key was deleted
	 * or lost in a failover) is moved past it in Redis, so that entries of older namespaces, which may
	 * have been cleared, are never read again. {@code false} if Redis failed.
	 */
	private boolean readNamespace(CacheContext cache) {
		try {
			readNamespaceNow(cache);
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read the namespace of " + cache, ex);
			return false;
		}
	}

	/** Reads one cache's namespace version as {@link #readNamespace} does, throwing if Redis fails. */
	private void readNamespaceNow(CacheContext cache) {
		long stamp = cache.namespaceStamp();
		byte[] stored = this.commands.get(namespaceKey(cache));
		long version = (stored != null) ? Long.parseLong(new String(stored, StandardCharsets.US_ASCII)) : 0;
		long floor = cache.namespace();
		if (version < floor) {
			version = namespaceScript(cache, FORWARD, floor);
		}
		cache.namespaceRead(version, stamp);
	}

	private byte[] namespaceKey(CacheContext cache) {
		return this.keys.namespace(cache.name());
	}

	// ---- coherence of L1

	/**
	 * Reads a cache's namespace version again, when a change was reported; a Redis failure is logged
	 * at debug level (the periodic read retries).
	 */
	@Override
	public void read(String cacheName) {
		CacheContext cache = this.caches.get(cacheName);
		if (cache != null) {
			readNamespace(cache);
		}
	}

	@Override
	public void readAll() {
		readNamespaces();
	}

	/**
	 * Checks in the background an entry this instance wrote to Redis at {@code key} and kept in L1 though
	 * a change to the key was reported or made meanwhile ({@link LocalTier#putWritten},
	 * {@link LocalTier#fillWritten}); see {@link L1Coherence#check}.
	 */
	void check(CacheContext cache, RemoteKey key, LocalTier.@Nullable Suspect suspect) {
		this.l1.check(cache, key.resolved() ? key.value() : null, key.namespace(), suspect);
	}

	/**
	 * Puts an entry kept out of L1 in if Redis still holds what it was read as, at the key it came
	 * from, and that key is still of the cache's current namespace; checked in the background.
	 */
	void recheck(CacheContext cache, RemoteKey key, LocalTier.Refill refill) {
		LocalTier local = cache.local();
		if (local != null) {
			this.l1.recheck(cache, key.value(), key.namespace(), refill.token(), () -> local.refill(refill));
		}
	}

	/**
	 * Redis answers again after the circuit breaker stopped calls to it: the writes it missed are made
	 * (deletes of keys whose writes failed, clears, lease releases), then every L1 is cleared, since
	 * invalidations were missed meanwhile, and the namespace versions read again. Runs on the breaker's
	 * thread before callers use Redis again.
	 */
	void recovered() {
		this.repairs.retryNow();
		this.l1.clearAndReread();
	}

	/** Keeps the L1s of this tier's caches coherent; receives the changes Redis reports. */
	L1Coherence coherence() {
		return this.l1;
	}

	String keyPrefix() {
		return this.keys.prefix();
	}

	String channel() {
		return new String(this.channel, StandardCharsets.UTF_8);
	}

	LoadNotifications notifications() {
		return this.notifications;
	}

	/** Starts connecting to Redis and waits for it at most {@code wait}. */
	void connect(Duration wait) {
		this.commands.connect(wait);
	}

	// ---- reads

	/**
	 * Reads and decodes a key's entry; when Redis holds none, the cache's {@link PendingWrites}, if
	 * any, may supply the latest value written, or tell that it cannot ({@link Read#UNCACHED}).
	 */
	Read read(CacheContext cache, RemoteKey key, Type type) {
		byte[] framed;
		boolean queued = false;
		try {
			framed = this.commands.get(key.value());
			if (framed == null) {
				framed = findPending(cache, key);
				queued = framed != null;
			}
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			return Read.FAILED;
		}
		if (framed == null || (queued && framed.length == 0)) {
			cache.stats().remoteMiss();
			return (framed == null) ? Read.ABSENT : Read.UNCACHED;
		}
		return decode(cache, key, type, framed, queued);
	}

	/**
	 * Reads and decodes the key's pending write, if its cache queues writes: a {@link Hit} marked
	 * queued, or {@link Read#ABSENT} when no write of the key is pending (no Redis call then if the
	 * cache queues none).
	 */
	Read readPending(CacheContext cache, RemoteKey key, Type type) {
		byte[] framed;
		try {
			framed = findPending(cache, key);
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			return Read.FAILED;
		}
		return (framed != null) ? decodePending(cache, key, type, framed) : Read.ABSENT;
	}

	private static byte @Nullable [] findPending(CacheContext cache, RemoteKey key) {
		PendingWrites pending = cache.pendingWrites();
		return (pending != null) ? pending.find(key.rendered()) : null;
	}

	/**
	 * Decodes framed bytes read from a key. A corrupt entry (bad envelope, unreadable payload, a class
	 * the allow-list refuses) is deleted and reads as absent; an intact entry that is not of the
	 * requested type is left in place and reads as {@link Unreadable}.
	 */
	Read decode(CacheContext cache, RemoteKey key, Type type, byte[] framed) {
		return decode(cache, key, type, framed, false);
	}

	/**
	 * Decodes a key's pending write (found by a lease script, {@link Acquisition.Pending}) as
	 * {@link #decode} does; {@link Read#UNCACHED} for a write whose value the cache cannot hold.
	 */
	Read decodePending(CacheContext cache, RemoteKey key, Type type, byte[] framed) {
		return (framed.length == 0) ? Read.UNCACHED : decode(cache, key, type, framed, true);
	}

	private Read decode(CacheContext cache, RemoteKey key, Type type, byte[] framed, boolean queued) {
		Envelope envelope;
		Object value;
		try {
			envelope = Envelope.read(framed);
			value = envelope.nullMarker() ? null
					: this.codec.decode(envelope.payloadFormat(), framed, envelope.payloadOffset(),
							envelope.payloadLength(), type);
		}
		catch (ValueTypeMismatchException ex) {
			cache.decodeFailed("cannot read an entry as " + type.getTypeName() + " and left it in place: "
					+ ex.getMessage());
			cache.stats().remoteMiss();
			return new Unreadable(Arrays.copyOf(framed, Envelope.HEADER_SIZE), ex.getMessage());
		}
		catch (ValueDecodingException ex) {
			cache.decodeFailed("deleted an entry it cannot read as " + type.getTypeName() + ": " + ex.getMessage());
			cache.stats().remoteMiss();
			delete(cache, key);
			return Read.ABSENT;
		}
		cache.stats().remoteHit(value == null);
		return new Hit(value, envelope.writtenAt(), envelope.softExpiresAt(), envelope.loadMillis(), framed, queued);
	}

	// ---- writes

	/**
	 * Frames a value for storing, or returns {@code null} when it cannot be stored (not encodable, or
	 * over the size limit): counted, and logged the first time per class.
	 */
	byte @Nullable [] frame(CacheContext cache, @Nullable Object value, Type type, long ttlMillis, long loadMillis) {
		if (value == null) {
			return envelope(null, ttlMillis, loadMillis);
		}
		EncodedValue encoded = encode(cache, value, type);
		return (encoded != null) ? envelope(encoded, ttlMillis, loadMillis) : null;
	}

	/** Frames an encoded value, or the null marker for {@code null}, written now. */
	private static byte[] envelope(@Nullable EncodedValue encoded, long ttlMillis, long loadMillis) {
		long now = System.currentTimeMillis();
		return (encoded != null) ? Envelope.frame(encoded, now, now + ttlMillis, loadMillis)
				: Envelope.frameNull(now, now + ttlMillis, loadMillis);
	}

	/** Encodes a value for storing, or returns {@code null} as {@link #frame} does when it cannot be stored. */
	private @Nullable EncodedValue encode(CacheContext cache, Object value, Type type) {
		try {
			EncodedValue encoded = this.codec.encode(value, type);
			if (encoded.bytes().length + Envelope.HEADER_SIZE > this.maxValueBytes) {
				throw new IllegalArgumentException("its encoded size " + encoded.bytes().length
						+ " bytes is over the limit of " + this.maxValueBytes + " bytes ('tiercache.max-value-size')");
			}
			return encoded;
		}
		catch (RuntimeException ex) {
			cache.stats().encodeFailure();
			logUnencodable(cache, value.getClass(), ex);
			return null;
		}
	}

	/**
	 * Writes framed bytes (or deletes the key when {@code framed} is {@code null}), revoking any lease
	 * on the key; Redis keeps them for {@code ttlMillis} and the cache's stale window or fail-safe. A
	 * write of the key queued for the backing store is not written over: the key is deleted instead
	 * (readers get the queued write). If Redis fails, the key is deleted once Redis answers again.
	 * @return for a delete, whether a value existed; for a write, {@code false} only if it was refused
	 * for a queued write (so L1 must not keep the value either)
	 */
	boolean write(CacheContext cache, RemoteKey key, byte @Nullable [] framed, long ttlMillis) {
		try {
			boolean written = this.leases.write(key.entry(), framed, cache.settings().redisTtlMillis(ttlMillis));
			this.repairs.cancel(key);
			this.coherence.publish(key.value());
			return written;
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			deleteLater(cache, key);
			return framed != null;
		}
	}

	/**
	 * Registers a write of the key's backing data about to happen (see {@link WriteIntents}).
	 * @return the registration, or {@link Intent#UNREGISTERED} if the key is not resolved or Redis failed
	 */
	Intent intend(CacheContext cache, RemoteKey key) {
		if (!key.resolved()) {
			return Intent.UNREGISTERED;
		}
		try {
			return this.intents.begin(key.entry());
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			return Intent.UNREGISTERED;
		}
	}

	/**
	 * Completes a registered write: stores framed bytes if no other write of the key overlapped it,
	 * otherwise (or when {@code framed} is {@code null}) deletes the key; revokes any lease. A delete
	 * still pending from an earlier failure is kept (it may belong to a write this one did not see). If
	 * Redis fails, the key is deleted once Redis answers again.
	 * @return whether the value was stored
	 */
	boolean complete(CacheContext cache, RemoteKey key, Intent intent, byte @Nullable [] framed, long ttlMillis) {
		try {
			boolean stored = this.intents.complete(key.entry(), intent, framed,
					cache.settings().redisTtlMillis(ttlMillis));
			this.coherence.publish(key.value());
			return stored;
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			deleteLater(cache, key);
			return false;
		}
	}

	/**
	 * Withdraws a registered write that failed; the key is deleted if another write overlapped it
	 * (once Redis answers, if it fails now).
	 * @return whether the key was deleted
	 */
	boolean abandon(CacheContext cache, RemoteKey key, Intent intent) {
		try {
			boolean deleted = this.intents.abandon(key.entry(), intent);
			if (deleted) {
				this.coherence.publish(key.value());
			}
			return deleted;
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			deleteLater(cache, key);
			return true;
		}
	}

	/**
	 * Frames a write for a script of the caller's that applies it: a put of the value, or, when the
	 * cache cannot hold the value (it cannot be encoded, is over the size limit, or its TTL is zero), a
	 * delete of the key.
	 * @param key a resolved key
	 * @param stamp the key's L1 stamp, taken before the script runs
	 */
	StagedWrite stage(CacheContext cache, RemoteKey key, @Nullable Object value, Type type, long ttlMillis,
			long stamp) {
		EncodedValue encoded = (value != null && ttlMillis > 0) ? encode(cache, value, type) : null;
		if (ttlMillis <= 0 || (value != null && encoded == null)) {
			return StagedWrite.delete(key, value, type, this.channel, stamp);
		}
		return new StagedWrite(key, value, type, encoded, this.channel, envelope(encoded, ttlMillis, 0), ttlMillis,
				cache.settings().redisTtlMillis(ttlMillis), stamp);
	}

	/** A staged write was applied: a delete still pending for the key must not undo it. */
	void applied(RemoteKey key) {
		this.repairs.cancel(key);
		this.coherence.publish(key.value());
	}

	/**
	 * Writes framed bytes unless a value is stored, for {@code ttlMillis} and the cache's stale window or
	 * fail-safe.
	 * @return the framed bytes already stored, or {@code null} if this call wrote (or Redis failed)
	 */
	byte @Nullable [] writeIfAbsent(CacheContext cache, RemoteKey key, byte[] framed, long ttlMillis) {
		try {
			byte[] existing = this.leases.writeIfAbsent(key.entry(), framed, cache.settings().redisTtlMillis(ttlMillis));
			if (existing == null) {
				this.coherence.publish(key.value());
			}
			return existing;
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			deleteLater(cache, key);
			return null;
		}
	}

	/** Revokes the key's lease, if any, leaving its value; a failure is counted (a later write revokes it too). */
	void revoke(CacheContext cache, RemoteKey key) {
		try {
			this.leases.revoke(key.entry());
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
		}
	}

	/** Deletes a corrupt entry, now or once Redis answers. */
	private void delete(CacheContext cache, RemoteKey key) {
		write(cache, key, null, 0);
	}

	/** Deletes the key once Redis answers, in the namespace current then, and evicts it from L1 again. */
	private void deleteLater(CacheContext cache, RemoteKey key) {
		this.repairs.add(key.id(), cache, () -> {
			RemoteKey current = keyOf(cache, key.rendered(), key.original());
			this.leases.write(current.entry(), null, 0);
			this.coherence.publish(current.value());
			this.l1.dropped(cache, current.rendered());
		});
	}

	/**
	 * Deletes the entry Redis names {@code rendered} (as an operator names a key that is not in L1), on
	 * every instance; now, or once Redis answers.
	 * @return whether Redis held it
	 */
	boolean deleteNamed(CacheContext cache, String rendered) {
		return write(cache, keyOf(cache, rendered, rendered), null, 0);
	}

	/**
	 * Invalidates every entry of a cache in one round trip: bumps the cache's namespace version, which
	 * is part of every key of the cache, so old entries are no longer read (they age out by their TTL)
	 * and loads in flight store where nobody reads. L1 is cleared when the bump returns. If Redis fails,
	 * the bump is made once Redis answers, and L1 cleared again then. Other instances learn the new
	 * version within {@link #NAMESPACE_READ_INTERVAL} and clear their L1 then.
	 */
	void clear(CacheContext cache) {
		try {
			bump(cache);
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			this.repairs.add("clear:" + cache.name(), cache, () -> bump(cache));
		}
	}

	private void bump(CacheContext cache) {
		cache.namespaceBumped(namespaceScript(cache, BUMP, cache.namespace()));
		this.coherence.publish(namespaceKey(cache));
	}

	/** Runs a script on the cache's namespace key with the cache's floor; returns the version it leaves. */
	private long namespaceScript(CacheContext cache, LuaScript script, long floor) {
		Long version = this.commands.eval(script, ScriptOutputType.INTEGER, new byte[][] { namespaceKey(cache) },
				Long.toString(floor).getBytes(StandardCharsets.US_ASCII));
		if (version == null) {
			throw new IllegalStateException("The namespace script returned no version");
		}
		return version;
	}

	// ---- leases

	/**
	 * A deadline for the Redis calls of one cache operation, which together wait at most the Redis
	 * timeout: see {@link RemoteCommands#deadline()}.
	 */
	long deadline() {
		return this.commands.deadline();
	}

	/**
	 * Reads the value or takes the key's lease, atomically. If Redis does not answer by
	 * {@code deadline}, the lease the call may have taken is released in the background. While shutting
	 * down ({@link #stopLeasing()}) the key reads as open: the caller loads without a lease.
	 * @param unreadable the header of a stored value the caller cannot read, to be replaced; or {@code null}
	 */
	Acquisition claim(CacheContext cache, RemoteKey key, byte @Nullable [] unreadable, long deadline) {
		if (!key.resolved() || !this.leasing) {
			return new Acquisition.Open();
		}
		CacheSettings settings = cache.settings();
		Acquisition acquisition = this.leases.readOrAcquire(key.entry(), settings.lockLease().toMillis(),
				Math.max(settings.lockWait().toMillis(), settings.lockLease().toMillis()), unreadable, deadline);
		if (acquisition instanceof Acquisition.Unknown unknown) {
			cache.remoteFailed(unknown.failure());
			releaseLater(cache, unknown.lease(), false);
		}
		return acquisition;
	}

	/**
	 * Takes the key's lease for a background reload if nobody holds it, whether a value is stored or
	 * not; if Redis does not answer in time, the lease the call may have taken is released in the
	 * background.
	 * @return the lease, or {@code null} if another caller holds it, a write of the key is pending (a
	 * reload would read older data), Redis failed, or this instance is shutting down
	 */
	@Nullable Lease claimForRefresh(CacheContext cache, RemoteKey key) {
		if (!key.resolved() || !this.leasing) {
			return null;
		}
		CacheSettings settings = cache.settings();
		Acquisition acquisition = this.leases.acquireIfFree(key.entry(), settings.lockLease().toMillis(),
				Math.max(settings.lockWait().toMillis(), settings.lockLease().toMillis()), deadline());
		if (acquisition instanceof Acquisition.Unknown unknown) {
			cache.remoteFailed(unknown.failure());
			releaseLater(cache, unknown.lease(), false);
		}
		return (acquisition instanceof Acquisition.Acquired acquired) ? acquired.lease() : null;
	}

	/**
	 * Stores a loaded value if the lease still holds and no write of the key is pending, releasing the
	 * lease.
	 * @return whether it was stored; {@link StoreOutcome#UNKNOWN} when Redis did not answer by
	 * {@code deadline} (the lease is then released in the background)
	 */
	StoreOutcome store(CacheContext cache, Lease lease, byte[] framed, long ttlMillis, long deadline) {
		try {
			LeaseLocks.StoreResult result = this.leases.storeAndRelease(lease, framed, ttlMillis, deadline);
			if (result == LeaseLocks.StoreResult.LOST) {
				return StoreOutcome.LOST;
			}
			if (result == LeaseLocks.StoreResult.PENDING) {
				return StoreOutcome.PENDING;
			}
			this.coherence.publish(lease.keys().value());
			return StoreOutcome.STORED;
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			releaseLater(cache, lease, false);
			return StoreOutcome.UNKNOWN;
		}
	}

	/**
	 * Releases a lease whose load stores nothing, opening the key to waiting callers; in the
	 * background if Redis does not answer by {@code deadline} (or the thread is interrupted).
	 */
	void releaseUnstored(CacheContext cache, Lease lease, long deadline) {
		try {
			this.leases.releaseUnstored(lease, deadline);
		}
		catch (RemoteCallException ex) {
			cache.remoteFailed(ex);
			releaseLater(cache, lease, true);
		}
	}

	private void releaseLater(CacheContext cache, Lease lease, boolean open) {
		this.repairs.add(lease, cache, () -> {
			if (open) {
				this.leases.releaseUnstored(lease, this.commands.deadline());
			}
			else {
				this.leases.release(lease);
			}
		});
	}

	/** Logs the first time values of a class cannot be stored; later ones only at debug level. */
	private void logUnencodable(CacheContext cache, Class<?> type, RuntimeException reason) {
		if (this.unencodableClasses.add(type)) {
			logger.warn("Tiercache " + cache + " does not store values of " + type.getName()
					+ " (counted as encode failures; calls still succeed): " + reason.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Tiercache " + cache + " did not store a " + type.getName(), reason);
		}
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

	/** Stops reading namespaces, releases held leases, stops repairs after a last attempt, and closes the connection. */
	@Override
	public void close() {
		this.namespaceReader.shutdownNow();
		this.l1.close();
		this.leases.close();
		this.repairs.close();
		this.commands.close();
	}

	/** What reading a key found. */
	sealed interface Read permits Hit, Unreadable, Missing {

		/** Nothing stored (or a corrupt entry, now deleted). */
		Missing ABSENT = Missing.ABSENT;

		/** Redis failed or did not answer in time. */
		Missing FAILED = Missing.FAILED;

		/**
		 * Nothing stored, and the latest pending write of the key has a value the cache cannot hold
		 * ({@link PendingWrites#UNCACHED}): what a load finds may be older than that write, so it is
		 * returned but not stored.
		 */
		Missing UNCACHED = Missing.UNCACHED;

	}

	/**
	 * A stored value ({@code null} for a cached null), when it was written and when it counts as expired
	 * (epoch ms), how long its load took, the bytes it was read from, and whether it is a queued write
	 * not yet applied to the backing store (the newest value, whatever its age).
	 */
	record Hit(@Nullable Object value, long writtenAt, long softExpiresAt, int loadMillis, byte[] framed,
			boolean queued) implements Read {
	}

	/** An intact entry that is not of the requested type: its header, and why. */
	record Unreadable(byte[] header, String reason) implements Read {
	}

	/** No value: absent, Redis failed, or a write of the key is pending that the cache cannot hold. */
	enum Missing implements Read {

		ABSENT, FAILED, UNCACHED

	}

	/** The outcome of storing a loaded value. */
	enum StoreOutcome {

		/** Stored, and the lease released. */
		STORED,

		/** Not stored: a write revoked the lease, or it lapsed. */
		LOST,

		/** Not stored: a write of the key is pending, newer than what was loaded; the lease is released. */
		PENDING,

		/** Redis did not answer in time; the value may or may not be stored. */
		UNKNOWN

	}

	/**
	 * The Redis keys of one cache entry: where the framed value lives, and the {@link EntryKeys} of
	 * its lease, waiters and pending write (built only when needed, since a hit does not). Used by one
	 * thread at a time.
	 */
	static final class RemoteKey {

		private final RedisKeys keys;

		private final String rendered;

		private final String cacheName;

		private final long namespace;

		private final Object original;

		private final @Nullable PendingWrites pendingWrites;

		private final byte @Nullable [] value;

		private @Nullable EntryKeys entry;

		private RemoteKey(RedisKeys keys, byte @Nullable [] value, String rendered, String cacheName, long namespace,
				Object original, @Nullable PendingWrites pendingWrites) {
			this.keys = keys;
			this.rendered = rendered;
			this.cacheName = cacheName;
			this.namespace = namespace;
			this.original = original;
			this.pendingWrites = pendingWrites;
			this.value = value;
		}

		/** Whether the cache's namespace was known, so that the Redis keys exist. */
		boolean resolved() {
			return this.value != null;
		}

		/**
		 * Where the framed value lives.
		 * @throws RemoteCallException if the key is not resolved: for callers, Redis is not usable yet
		 */
		byte[] value() {
			byte[] key = this.value;
			if (key == null) {
				throw RemoteCallException.notSent("The namespace version of cache '" + this.cacheName
						+ "' has not been read from Redis yet", new IllegalStateException("namespace unknown"));
			}
			return key;
		}

		/** The cache's namespace version in the key, or {@link CacheContext#UNKNOWN_NAMESPACE}. */
		long namespace() {
			return this.namespace;
		}

		/** The key rendered for Redis, without the namespace (known even while the namespace is not). */
		String rendered() {
			return this.rendered;
		}

		/** The key as the cache was given it. */
		Object original() {
			return this.original;
		}

		/** Identifies the entry among pending repairs, whatever the namespace. */
		Object id() {
			return new RepairId(this.cacheName, this.original);
		}

		/**
		 * The keys of the value, its lease, its waiters and, if the cache queues writes, its pending write.
		 * @throws RemoteCallException if the key is not resolved
		 */
		EntryKeys entry() {
			EntryKeys keys = this.entry;
			if (keys == null) {
				PendingWrites pending = this.pendingWrites;
				keys = this.keys.entry(value(), (pending != null) ? pending.locate(this.rendered) : null);
				this.entry = keys;
			}
			return keys;
		}

	}

	/** A cache and a key, as pending repairs know them. */
	private record RepairId(String cacheName, Object key) {
	}

}
