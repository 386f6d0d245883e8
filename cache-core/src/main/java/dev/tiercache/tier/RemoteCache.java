package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.codec.ValueTypeMismatchException;
import dev.tiercache.coherence.Namespaces;
import dev.tiercache.coherence.NamespaceVersion;
import dev.tiercache.coherence.Coherence;
import dev.tiercache.coherence.EntryTags;
import dev.tiercache.coherence.L1Coherence;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKey;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.redis.ReplicaReads;
import dev.tiercache.internal.stampede.Acquisition;
import dev.tiercache.internal.stampede.LeaseLocks;
import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.tracing.CacheTracer.Work;

/**
 * The L2 tier of one cache: reads (read, decode, delete if corrupt) and writes (frame, write, stage,
 * evict, clear), all behind one error policy: a Redis
 * failure never reaches the caller. A key whose cache's namespace version is not known yet fails like
 * Redis. A failure is counted and logged through the cache's {@link CacheContext}, the read counts as a
 * miss, and a write that failed is {@linkplain RemoteRepairs retried} as a delete until Redis answers, so
 * Redis never keeps a value the application replaced or removed.
 *
 * <p>Keys are laid out by {@link RedisKeys}: an entry's keys name its cache, the cache's
 * {@linkplain Namespaces namespace version} and the {@link KeyRenderer rendered} key. The Redis
 * connection, leases, repairs and namespaces are the manager's ({@link RedisRuntime}); a load's lease is
 * taken, stored under and released through {@link LoadLeases}. Thread-safe.
 */
final class RemoteCache {

	/**
	 * How long after a change to a key (written here, or reported by Redis) its reads go to the primary
	 * though replicas serve reads: a replica that applies changes later than that can put an older value
	 * in L1, which stays there until the key changes again or its L1 lifetime ends.
	 */
	static final Duration REPLICA_LAG_ALLOWANCE = Duration.ofSeconds(2);

	private static final long REPLICA_LAG_ALLOWANCE_NANOS = REPLICA_LAG_ALLOWANCE.toNanos();

	/**
	 * Deletes an entry (KEYS[1]) an invalidated tag made stale, if it still holds the bytes (ARGV[1]) it
	 * was read as: an entry stored since is left, and so is the key's lease.
	 */
	private static final LuaScript DELETE_UNCHANGED = LuaScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""");

	private final CacheContext cache;

	private final RedisRuntime redis;

	private final RemoteCommands commands;

	/** Reads replicas serve, if the manager reads from replicas. */
	private final @Nullable ReplicaReads replicaReads;

	private final RedisKeys keys;

	private final Coherence publisher;

	private final LeaseLocks leases;

	private final RemoteRepairs repairs;

	private final Namespaces namespaces;

	private final L1Coherence l1;

	private final ValueFraming framing;

	RemoteCache(CacheContext cache, RedisRuntime redis) {
		this.cache = cache;
		this.redis = redis;
		this.commands = redis.commands();
		this.replicaReads = redis.replicaReads();
		this.keys = redis.keys();
		this.publisher = redis.publisher();
		this.leases = redis.leases();
		this.repairs = redis.repairs();
		this.namespaces = redis.namespaces();
		this.l1 = redis.coherence();
		this.framing = new ValueFraming(cache, redis.codecOf(cache.name()), redis.maxValueBytes());
		cache.unconfirmedWrites().repairWith(this::deleteLater);
	}

	// ---- keys

	/**
	 * The Redis keys of a cache entry in the cache's current namespace; unresolved (every use then
	 * counts as a Redis failure) while the namespace version is not known.
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	RemoteKey keyOf(Object key) {
		return keyOf(key, render(key));
	}

	/** The Redis keys of a cache entry in the cache's current namespace, for a key already {@link #render rendered}. */
	RemoteKey keyOf(Object key, String rendered) {
		return keyIn(rendered, key, this.cache.namespace());
	}

	/**
	 * The key as Redis names it, without the cache and namespace.
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	String render(Object key) {
		return this.redis.render(key);
	}

	/** The Redis keys of a cache entry in a given namespace version of the cache (as it was earlier). */
	RemoteKey keyIn(Object key, long namespace) {
		return keyIn(render(key), key, namespace);
	}

	private RemoteKey keyIn(String rendered, Object key, long namespace) {
		PendingWrites pending = this.cache.pendingWrites();
		int partition = (pending != null) ? pending.partitionOf(rendered) : RedisKey.Entry.UNPARTITIONED;
		byte[] value = (namespace != NamespaceVersion.UNKNOWN)
				? this.keys.value(this.cache.name(), partition, namespace, rendered) : null;
		return new RemoteKey(this.keys, value, rendered, this.cache.name(), namespace, key, pending);
	}

	/**
	 * The Redis keys of a cache entry in the cache's current namespace, reading the namespace version
	 * now if it is not known yet (at start-up, before Redis answered).
	 * @throws RemoteCallException if the namespace version cannot be read
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered injectively
	 */
	RemoteKey resolvedKeyOf(Object key) {
		RemoteKey remoteKey = keyOf(key);
		if (!remoteKey.resolved()) {
			this.cache.runRedis(Work.REDIS_READ, () -> this.namespaces.readNow(this.cache.name()));
			remoteKey = keyOf(key);
			remoteKey.value();
		}
		return remoteKey;
	}

	// ---- reads

	/**
	 * Reads and decodes a key's entry; when Redis holds none, the cache's {@link PendingWrites}, if
	 * any, may supply the latest value written, or tell that it cannot ({@link RemoteRead#UNCACHED}).
	 * The entry is read from a replica if the manager reads from replicas, unless the cache's L1 knows
	 * of a change to the key in the last {@link #REPLICA_LAG_ALLOWANCE} (a replica may not have that change
	 * yet, and L1 would keep what it returns) or the replicas' breaker is open; a replica that fails hands
	 * the read to the primary, within the same timeout. What a replica does not hold is looked for on the
	 * primary by the load's lease.
	 */
	RemoteRead read(RemoteKey key, Type type) {
		byte[] framed;
		boolean queued = false;
		try {
			framed = this.cache.callRedis(Work.REDIS_READ, () -> readValue(key));
			if (framed == null) {
				framed = findPending(key);
				queued = framed != null;
			}
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return RemoteRead.FAILED;
		}
		if (framed == null || (queued && framed.length == 0)) {
			this.cache.stats().remoteMiss();
			return (framed == null) ? RemoteRead.ABSENT : RemoteRead.UNCACHED;
		}
		return decode(key, type, framed, queued);
	}

	/**
	 * Reads and decodes many keys' entries with one {@code MGET} on the primary, as {@link #read} does
	 * one key's, but without looking for pending writes: for a cache that queues none. Every key reads as
	 * {@link RemoteRead#FAILED} if Redis fails or does not answer by {@code deadline}.
	 * @return what was read, in the order of {@code keys}
	 */
	List<RemoteRead> readAll(List<RemoteKey> keys, Type type, long deadline) {
		List<KeyValue<byte[], byte[]>> found;
		try {
			byte[][] valueKeys = new byte[keys.size()][];
			for (int i = 0; i < valueKeys.length; i++) {
				valueKeys[i] = keys.get(i).value();
			}
			found = this.cache.callRedis(Work.REDIS_READ, () -> mget(valueKeys, deadline));
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return Collections.nCopies(keys.size(), RemoteRead.FAILED);
		}
		List<RemoteRead> reads = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			KeyValue<byte[], byte[]> value = found.get(i);
			if (value.hasValue()) {
				reads.add(decode(keys.get(i), type, value.getValue()));
			}
			else {
				this.cache.stats().remoteMiss();
				reads.add(RemoteRead.ABSENT);
			}
		}
		return reads;
	}

	/** Reads values with one {@code MGET}; a reply that does not have one value per key is a failure. */
	private List<KeyValue<byte[], byte[]>> mget(byte[][] valueKeys, long deadline) {
		List<KeyValue<byte[], byte[]>> found = this.commands.call((redis) -> redis.mget(valueKeys), deadline);
		if (found == null || found.size() != valueKeys.length) {
			String returned = (found != null) ? String.valueOf(found.size()) : "no";
			throw new RemoteCallException("MGET of " + valueKeys.length + " keys of " + this.cache + " returned "
					+ returned + " values", new IllegalStateException("unexpected reply"));
		}
		return found;
	}

	/**
	 * Whether every read goes to the primary, where a read can take the key's lease in the same call;
	 * {@code false} when the manager reads from replicas.
	 */
	boolean readsPrimary() {
		return this.replicaReads == null;
	}

	private byte @Nullable [] readValue(RemoteKey key) {
		ReplicaReads replicas = this.replicaReads;
		if (replicas == null || !replicaMayServe(key) || !replicas.admits()) {
			return this.commands.get(key.value());
		}
		long deadline = this.commands.deadline();
		try {
			return replicas.get(key.value());
		}
		catch (RemoteCallException ex) {
			// counted in the replicas' breaker; the primary answers within what is left of the timeout
			return this.commands.call((redis) -> redis.get(key.value()), deadline);
		}
	}

	private boolean replicaMayServe(RemoteKey key) {
		LocalTier local = this.cache.local();
		return local == null || local.quietFor(key.rendered(), key.original(), REPLICA_LAG_ALLOWANCE_NANOS);
	}

	/**
	 * Reads and decodes the key's pending write, if its cache queues writes: a hit marked queued, or
	 * {@link RemoteRead#ABSENT} when no write of the key is pending (no Redis call then if the cache
	 * queues none).
	 */
	RemoteRead readPending(RemoteKey key, Type type) {
		byte[] framed;
		try {
			framed = findPending(key);
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return RemoteRead.FAILED;
		}
		return (framed != null) ? decodePending(key, type, framed) : RemoteRead.ABSENT;
	}

	private byte @Nullable [] findPending(RemoteKey key) {
		PendingWrites pending = this.cache.pendingWrites();
		return (pending != null) ? this.cache.callRedis(Work.REDIS_READ, () -> pending.find(key.rendered())) : null;
	}

	/**
	 * Decodes framed bytes read from a key. A corrupt entry (bad envelope, unreadable payload, a class
	 * the allow-list refuses) is deleted and reads as absent; an intact entry that is not of the
	 * requested type is left in place and reads as {@link RemoteRead.Unreadable}.
	 */
	RemoteRead decode(RemoteKey key, Type type, byte[] framed) {
		return decode(key, type, framed, false);
	}

	/**
	 * Decodes a key's pending write (found by a lease script, {@link Acquisition.Pending}) as
	 * {@link #decode} does; {@link RemoteRead#UNCACHED} for a write whose value the cache cannot hold.
	 */
	RemoteRead decodePending(RemoteKey key, Type type, byte[] framed) {
		return (framed.length == 0) ? RemoteRead.UNCACHED : decode(key, type, framed, true);
	}

	private RemoteRead decode(RemoteKey key, Type type, byte[] framed, boolean queued) {
		Envelope envelope;
		Object value;
		try {
			envelope = Envelope.read(framed);
			EntryTags tags = envelope.tags();
			if (tags != null && !queued && !this.cache.tags().freshLocally(tags)) {
				RemoteRead stale = dropIfStale(key, framed, tags);
				if (stale != null) {
					return stale;
				}
			}
			value = this.framing.decode(envelope, framed, type);
		}
		catch (ValueTypeMismatchException ex) {
			this.cache.decodeFailed("cannot read an entry as " + type.getTypeName() + " and left it in place: "
					+ ex.getMessage());
			this.cache.stats().remoteMiss();
			return new RemoteRead.Unreadable(Arrays.copyOf(framed, Envelope.HEADER_SIZE), ex.getMessage());
		}
		catch (ValueDecodingException ex) {
			write(key, null, 0);
			this.cache.stats().remoteMiss();
			this.cache.decodeFailed("deleted an entry it cannot read as " + type.getTypeName() + ": "
					+ ex.getMessage());
			return RemoteRead.ABSENT;
		}
		this.cache.stats().remoteHit(value == null);
		return new RemoteRead.Hit(value, envelope.writtenAt(), envelope.softExpiresAt(), envelope.loadMillis(),
				framed, queued, envelope.tags());
	}

	/**
	 * Checks an entry's tags with Redis: {@code null} if none was invalidated since the entry's value was
	 * read; otherwise the entry is deleted, unless it was replaced meanwhile, and reads as absent (a miss).
	 * {@link RemoteRead#FAILED} if Redis fails.
	 */
	private @Nullable RemoteRead dropIfStale(RemoteKey key, byte[] framed, EntryTags tags) {
		try {
			if (this.cache.callRedis(Work.REDIS_READ, () -> this.cache.tags().fresh(tags))) {
				return null;
			}
			this.cache.runRedis(Work.REDIS_WRITE, () -> this.commands.eval(DELETE_UNCHANGED, ScriptOutputType.INTEGER,
					new byte[][] { key.value() }, framed));
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return RemoteRead.FAILED;
		}
		this.cache.stats().remoteMiss();
		return RemoteRead.ABSENT;
	}

	// ---- writes

	/**
	 * Frames a value for storing, or returns {@code null} when it cannot be stored (not encodable, or
	 * over the size limit): counted, and logged the first time per class.
	 * @param tags the entry's tags, or {@code null}
	 */
	byte @Nullable [] frame(@Nullable Object value, Type type, long ttlMillis, long loadMillis,
			@Nullable EntryTags tags) {
		return this.framing.frame(value, type, ttlMillis, loadMillis, tags);
	}

	/**
	 * Writes framed bytes (or deletes the key when {@code framed} is {@code null}), revoking any lease
	 * on the key; Redis keeps them for {@code ttlMillis} and the cache's stale window or fail-safe. A
	 * write of the key queued for the backing store is not written over: the key is deleted instead
	 * (readers get the queued write). If Redis fails, the key is deleted once Redis answers again.
	 * @return for a delete, whether a value existed; for a write, {@code false} only if it was refused
	 * for a queued write (so L1 must not keep the value either)
	 */
	boolean write(RemoteKey key, byte @Nullable [] framed, long ttlMillis) {
		try {
			boolean written = this.cache.callRedis(Work.REDIS_WRITE,
					() -> this.leases.write(key.entry(), framed, redisTtl(ttlMillis)));
			written(key);
			this.publisher.publish(key.value());
			return written;
		}
		catch (RemoteCallException ex) {
			deleteLater(key);
			this.cache.remoteFailed(ex);
			return framed != null;
		}
	}

	/**
	 * Frames a write for a script of the caller's that applies it: a put of the value, or, when the
	 * cache cannot hold the value (it cannot be encoded, is over the size limit, or its TTL is zero), a
	 * delete of the key.
	 * @param key a resolved key
	 * @param stamp the key's L1 stamp, taken before the script runs
	 */
	StagedCacheWrite stage(RemoteKey key, @Nullable Object value, Type type, long ttlMillis, long stamp) {
		EncodedValue encoded = (value != null && ttlMillis > 0) ? this.framing.encode(value, type) : null;
		byte[] channel = this.redis.channelBytes();
		if (ttlMillis <= 0 || (value != null && encoded == null)) {
			return StagedCacheWrite.delete(this, key, value, type, channel, stamp);
		}
		return new StagedCacheWrite(this, key, value, type, encoded, channel,
				this.framing.envelope(encoded, ttlMillis, 0, null), ttlMillis, redisTtl(ttlMillis), stamp);
	}

	/** A staged write was applied: a delete still pending for the key must not undo it. */
	void applied(RemoteKey key) {
		written(key);
		this.publisher.publish(key.value());
	}

	/**
	 * A write to the key succeeded: a delete still pending for the key must not undo it, unless the write
	 * went to a namespace version the cache has left (the delete is then for the key under the version in
	 * use); and the write is remembered until its version is confirmed ({@link UnconfirmedWrites}).
	 */
	private void written(RemoteKey key) {
		if (key.namespace() >= this.cache.namespace()) {
			this.repairs.cancel(key);
		}
		this.cache.written(key);
	}

	/**
	 * Writes framed bytes unless a value is stored, for {@code ttlMillis} and the cache's stale window or
	 * fail-safe.
	 * @return the framed bytes already stored, or {@code null} if this call wrote (or Redis failed)
	 */
	byte @Nullable [] writeIfAbsent(RemoteKey key, byte[] framed, long ttlMillis) {
		try {
			byte[] existing = this.cache.callRedis(Work.REDIS_WRITE,
					() -> this.leases.writeIfAbsent(key.entry(), framed, redisTtl(ttlMillis)));
			if (existing == null) {
				this.publisher.publish(key.value());
			}
			return existing;
		}
		catch (RemoteCallException ex) {
			deleteLater(key);
			this.cache.remoteFailed(ex);
			return null;
		}
	}

	/** Revokes the key's lease, if any, leaving its value; a failure is counted (a later write revokes it too). */
	void revoke(RemoteKey key) {
		try {
			this.cache.runRedis(Work.REDIS_WRITE, () -> this.leases.revoke(key.entry()));
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
		}
	}

	/**
	 * Deletes the key once Redis answers, in the namespace current then, and evicts it from L1 again.
	 * @return whether the delete is pending ({@code false}: too many repairs are, and it was dropped)
	 */
	boolean deleteLater(RemoteKey key) {
		return this.repairs.add(key.id(), this.cache, () -> {
			RemoteKey current = keyIn(key.rendered(), key.original(), this.cache.namespace());
			this.leases.write(current.entry(), null, 0);
			this.publisher.publish(current.value());
			this.l1.dropped(this.cache, current.rendered());
		});
	}

	/**
	 * Deletes the entry Redis names {@code rendered} (as an operator names a key that is not in L1), on
	 * every instance; now, or once Redis answers.
	 * @return whether Redis held it
	 */
	boolean deleteNamed(String rendered) {
		boolean existed = write(keyIn(rendered, rendered, this.cache.namespace()), null, 0);
		// a key not resident in L1 is still changed here: reads of it in flight, and from replicas, must know
		this.cache.dropped(rendered);
		return existed;
	}

	/**
	 * Invalidates every entry of the cache in one round trip: bumps its namespace version, which is part
	 * of every key of the cache, so old entries are no longer read (they age out by their TTL) and loads
	 * in flight store where nobody reads. L1 is cleared when the bump returns. If Redis fails, the bump is
	 * made once Redis answers, and L1 cleared again then. Other instances learn the new version within
	 * {@link Namespaces#READ_INTERVAL} and clear their L1 then.
	 */
	void clear() {
		try {
			this.cache.runRedis(Work.REDIS_CLEAR, () -> this.namespaces.bump(this.cache.name()));
		}
		catch (RemoteCallException ex) {
			this.repairs.add("clear:" + this.cache.name(), this.cache, () -> this.namespaces.bump(this.cache.name()));
			this.cache.remoteFailed(ex);
		}
	}

	/**
	 * Invalidates a tag in one round trip ({@link dev.tiercache.coherence.TagVersions#invalidate}). If Redis
	 * fails, the invalidation is made once Redis answers (replayed with the other repairs, and retried every
	 * second by the cache's tags in any case); this instance serves no entry that carries the tag meanwhile.
	 */
	void invalidateTag(String tag) {
		try {
			this.cache.runRedis(Work.REDIS_CLEAR, () -> this.cache.tags().invalidate(tag));
		}
		catch (RemoteCallException ex) {
			this.repairs.add("tag:" + this.cache.name() + ":" + tag, this.cache,
					() -> this.cache.tags().retryPending(tag));
			this.cache.remoteFailed(ex);
		}
	}

	/**
	 * The keys of this cache the instances reported hottest, hottest first, that are keys of
	 * {@code keyType} ({@link KeyRenderer#parse}); empty while Redis does not answer.
	 */
	<T> List<T> reportedHotKeys(int limit, Class<T> keyType) {
		List<String> names;
		try {
			names = this.redis.hotKeys().reported(this.cache.name(), limit);
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return List.of();
		}
		List<T> keys = new ArrayList<>(names.size());
		for (String name : names) {
			Object key = this.redis.parse(name, keyType);
			if (key != null) {
				@SuppressWarnings("unchecked")
				T typed = (T) key;
				keys.add(typed);
			}
		}
		return keys;
	}

	long redisTtl(long ttlMillis) {
		return this.cache.settings().redisTtlMillis(ttlMillis);
	}

	// ---- coherence of L1

	/**
	 * Checks in the background an entry this instance wrote to Redis at {@code key} and kept in L1 though
	 * a change to the key was reported or made meanwhile ({@link LocalTier#putWritten},
	 * {@link LocalTier#fillWritten}); see {@link L1Coherence#check}.
	 */
	void check(RemoteKey key, @Nullable SuspectEntry suspect) {
		// a key of a layout the cache left is not checked: the entry leaves at once
		boolean current = key.resolved() && key.laidOutAs(this.cache.pendingWrites());
		this.l1.check(this.cache, current ? key.value() : null, key.namespace(), suspect);
	}

	/**
	 * Puts an entry kept out of L1 in if Redis still holds what it was read as, at the key it came
	 * from, and that key is still of the cache's current namespace and layout; checked in the background.
	 */
	void recheck(RemoteKey key, Refill refill) {
		LocalTier local = this.cache.local();
		// a value read at a key of a layout the cache left stays out: the entry now lives elsewhere
		if (local != null && key.laidOutAs(this.cache.pendingWrites())) {
			this.l1.recheck(this.cache, key.value(), key.namespace(), refill.token(), () -> local.refill(refill));
		}
	}

	@Override
	public String toString() {
		return "Redis tier of " + this.cache;
	}

}
