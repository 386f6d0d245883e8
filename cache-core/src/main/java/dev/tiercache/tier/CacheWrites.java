package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.SimpleValueWrapper;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.coherence.NamespaceVersion;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.stampede.WriteIntents.Intent;
import dev.tiercache.internal.write.CoordinatedWrites;
import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.internal.write.StagedWrite;
import dev.tiercache.internal.write.WriteIntent;
import dev.tiercache.tier.RemoteRead.Hit;
import dev.tiercache.tier.RemoteRead.Unreadable;

/**
 * The writes of one cache ({@link TieredCache} is their facade): each goes to Redis first, with the
 * key's L1 stamp taken before, then to L1, where a value this instance wrote stays only while a check
 * finds it in Redis if the key was written or reported changed since the stamp
 * ({@link LocalTier#putWritten}); a write Redis does not take deletes the key from L1 and, once Redis
 * answers, from Redis ({@link RemoteCache#write}). It is also what the cache coordinates with the write
 * patterns and the write-behind queue ({@link CoordinatedWrites}). Thread-safe.
 */
final class CacheWrites implements CoordinatedWrites {

	private final CacheContext cache;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	/** The cache's write intents in Redis: present whenever {@link #remote} is. */
	private final @Nullable RemoteIntents intents;

	private final CacheLookup lookup;

	CacheWrites(CacheContext cache, @Nullable RemoteCache remote, @Nullable RemoteIntents intents,
			CacheLookup lookup) {
		this.cache = cache;
		this.local = cache.local();
		this.remote = remote;
		this.intents = intents;
		this.lookup = lookup;
	}

	/** The name of the cache these writes are of. */
	String cacheName() {
		return this.cache.name();
	}

	private RemoteIntents intents() {
		return Objects.requireNonNull(this.intents, "no write intents without Redis");
	}

	/** Stores a value in both tiers, revoking loads of the key: see {@link TieredCache#put(Object, Object, Type)}. */
	void put(Object key, @Nullable Object value, Type type) {
		put(key, value, type, null);
	}

	/**
	 * Stores a value in both tiers with tags, revoking loads of the key: see
	 * {@link TieredCache#put(Object, Object, Type, java.util.Collection)}.
	 * @param tags the entry's tags, or {@code null}
	 */
	void put(Object key, @Nullable Object value, Type type, @Nullable EntryTags tags) {
		if (value != null) {
			this.cache.keyWritten(this.remote, key);
		}
		long ttl = this.cache.settings().jitteredTtlMillis(value == null);
		if (ttl <= 0) {
			evictIfPresent(key);
			return;
		}
		RemoteCache l2 = this.remote;
		LocalTier tier = this.local;
		if (l2 == null) {
			if (tier != null) {
				tier.put(key, value, ttl, tags);
			}
			return;
		}
		byte[] framed = l2.frame(value, type, ttl, 0, tags);
		RemoteKey remoteKey = writableKeyOf(l2, key);
		long stamp = stampOf(remoteKey);
		if (!l2.write(remoteKey, framed, ttl) || framed == null) {
			evictLocal(key);
		}
		else {
			keepWritten(remoteKey, value, ttl, stamp, framed);
		}
	}

	@Override
	public WriteIntent intendWrite(Object key) {
		this.cache.keyWritten(this.remote, key);
		RemoteCache l2 = this.remote;
		if (l2 == null) {
			return new CacheWriteIntent(this, key, NamespaceVersion.UNKNOWN, Intent.UNREGISTERED);
		}
		RemoteKey remoteKey = writableKeyOf(l2, key);
		return new CacheWriteIntent(this, key, remoteKey.namespace(), intents().intend(remoteKey));
	}

	/** Completes an intent: see {@link WriteIntent#complete}. */
	void complete(CacheWriteIntent intent, @Nullable Object value, Type type) {
		this.cache.keyWritten(this.remote, intent.key());
		RemoteCache l2 = this.remote;
		if (l2 == null) {
			if (value != null) {
				put(intent.key(), value, type);
			}
			else {
				evictLocal(intent.key());
			}
			return;
		}
		RemoteKey remoteKey = writableKeyOf(l2, intent.key());
		if (remoteKey.namespace() != intent.namespace()) {
			// cleared meanwhile: withdraw the registration where it was made; delete where readers look now
			abandon(intent);
			evictIfPresent(intent.key());
			return;
		}
		long ttl = this.cache.settings().jitteredTtlMillis(false);
		byte[] framed = (value != null && ttl > 0) ? l2.frame(value, type, ttl, 0, null) : null;
		long stamp = stampOf(remoteKey);
		if (intents().complete(remoteKey, intent.registration(), framed, ttl) && framed != null) {
			keepWritten(remoteKey, value, ttl, stamp, framed);
		}
		else {
			evictLocal(intent.key());
		}
	}

	/** Withdraws an intent: see {@link WriteIntent#abandon}. */
	void abandon(CacheWriteIntent intent) {
		RemoteCache l2 = this.remote;
		if (l2 == null || intent.registration() == Intent.UNREGISTERED) {
			return;
		}
		RemoteKey remoteKey = l2.keyIn(intent.key(), intent.namespace());
		if (intents().abandon(remoteKey, intent.registration())) {
			evictLocal(intent.key());
		}
	}

	/**
	 * The Redis keys a write of the key goes to, reading the cache's namespace version now if it is not
	 * known yet (at start-up), so that an early write reaches Redis rather than waiting as a repair;
	 * unresolved (the write then fails over to a repair) if Redis does not answer.
	 */
	private RemoteKey writableKeyOf(RemoteCache l2, Object key) {
		try {
			return l2.resolvedKeyOf(key);
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
			return l2.keyOf(key);
		}
	}

	/** The key's L1 stamp, to take before a write to Redis; 0 without L1. */
	private long stampOf(RemoteKey remoteKey) {
		LocalTier tier = this.local;
		return (tier != null) ? tier.stamp(remoteKey.rendered(), remoteKey.original()) : 0;
	}

	/**
	 * Puts a value this instance wrote to Redis as {@code framed} in L1, where it stays only while a
	 * check finds it in Redis if the key was written or reported changed since {@code stamp} (see
	 * {@link LocalTier#putWritten}).
	 */
	private void keepWritten(RemoteKey remoteKey, @Nullable Object value, long ttl, long stamp, byte[] framed) {
		LocalTier tier = this.local;
		RemoteCache l2 = this.remote;
		if (tier != null && l2 != null) {
			l2.check(remoteKey, tier.putWritten(remoteKey.original(), remoteKey.rendered(), value,
					LocalFills.lifetime(ttl, this.cache.settings()), stamp, framed));
		}
	}

	@Override
	public StagedCacheWrite stage(Object key, @Nullable Object value, Type type) {
		RemoteCache l2 = this.remote;
		this.cache.keyWritten(l2, key);
		if (l2 == null) {
			throw new IllegalStateException("Cache '" + this.cache.name() + "' does not use Redis (mode "
					+ this.cache.settings().mode() + "), so it cannot stage a write");
		}
		RemoteKey remoteKey = l2.resolvedKeyOf(key);
		long ttl = this.cache.settings().jitteredTtlMillis(value == null);
		return l2.stage(remoteKey, value, type, ttl, stampOf(remoteKey));
	}

	@Override
	public void unconfirmed(StagedWrite staged) {
		StagedCacheWrite write = stagedHere(staged);
		// it may have landed under a namespace version a clear elsewhere superseded: remembered as written
		this.cache.written(write.remoteKey());
		evictLocal(write.key());
	}

	@Override
	public void applied(StagedWrite staged) {
		StagedCacheWrite write = stagedHere(staged);
		write.stagedBy().applied(write.remoteKey());
		if (write.cached()) {
			keepWritten(write.remoteKey(), write.value(), write.ttlMillis(), write.stamp(), write.framed());
		}
		else {
			evictLocal(write.key());
		}
	}

	/** Stores a value unless one is cached: see {@link TieredCache#putIfAbsent(Object, Object, Type)}. */
	@Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value, Type type) {
		if (value != null) {
			this.cache.keyWritten(this.remote, key);
		}
		long ttl = this.cache.settings().jitteredTtlMillis(value == null);
		RemoteCache l2 = this.remote;
		LocalTier tier = this.local;
		if (l2 == null) {
			ValueWrapper existing = this.lookup.lookup(key, type, true);
			if (existing == null && tier != null) {
				tier.put(key, value, ttl, null);
			}
			return existing;
		}
		byte[] framed = (ttl > 0) ? l2.frame(value, type, ttl, 0, null) : null;
		if (framed == null) {
			return this.lookup.lookup(key, type, true);
		}
		RemoteKey remoteKey = l2.keyOf(key);
		long stamp = stampOf(remoteKey);
		byte[] existing = l2.writeIfAbsent(remoteKey, framed, ttl);
		if (existing != null) {
			RemoteRead read = l2.decode(remoteKey, type, existing);
			if (read instanceof Hit hit) {
				return new SimpleValueWrapper(hit.value());
			}
			if (read instanceof Unreadable unreadable) {
				throw this.lookup.wrongType(key, type, unreadable.reason());
			}
			return putIfAbsent(key, value, type);
		}
		keepWritten(remoteKey, value, ttl, stamp, framed);
		return null;
	}

	@Override
	public void pendingWrites(PendingWrites pendingWrites) {
		this.cache.pendingWrites(pendingWrites);
	}

	/** The write, staged by this cache and now settled. */
	private StagedCacheWrite stagedHere(StagedWrite write) {
		if (!(write instanceof StagedCacheWrite staged) || staged.stagedBy() != this.remote) {
			String given = (write instanceof StagedCacheWrite) ? "one of another cache" : write.getClass().getName();
			throw new IllegalArgumentException(
					"Cache '" + this.cache.name() + "' can only apply a write it staged itself, not " + given);
		}
		if (!staged.settle()) {
			throw new IllegalStateException("Cache '" + this.cache.name() + "' was told again how a staged write of "
					+ "key '" + staged.key() + "' went; tell it once: applied or unconfirmed");
		}
		return staged;
	}

	@Override
	public void revokeLoads(Object key) {
		RemoteCache l2 = this.remote;
		if (l2 != null) {
			l2.revoke(l2.keyOf(key));
		}
		LocalTier tier = this.local;
		if (tier != null) {
			tier.revoke(key);
		}
	}

	/** Evicts a key given by name: see {@link TieredCache#evictNamed}. */
	boolean evictNamed(String name) {
		LocalTier tier = this.local;
		Object key = (tier != null) ? tier.keyNamed(name) : null;
		if (key != null) {
			return evictIfPresent(key);
		}
		RemoteCache l2 = this.remote;
		return l2 != null && l2.deleteNamed(name);
	}

	/** Removes the key from Redis, then from L1: see {@link TieredCache#evictIfPresent}. */
	boolean evictIfPresent(Object key) {
		this.cache.keyWritten(this.remote, key);
		boolean present = false;
		RemoteCache l2 = this.remote;
		if (l2 != null) {
			present = l2.write(writableKeyOf(l2, key), null, 0);
		}
		return evictLocal(key) || present;
	}

	private boolean evictLocal(Object key) {
		LocalTier tier = this.local;
		return tier != null && tier.evict(key);
	}

	/** Drops every entry that carries the tag: see {@link TieredCache#invalidateTag}. */
	void invalidateTag(String tag) {
		RemoteCache l2 = this.remote;
		if (l2 != null) {
			l2.invalidateTag(tag);
		}
		else {
			this.cache.tags().invalidate(tag);
		}
	}

	/** Removes every entry: see {@link TieredCache#invalidate()}. */
	boolean invalidate() {
		LocalTier tier = this.local;
		boolean found = tier != null && tier.size() > 0;
		RemoteCache l2 = this.remote;
		if (l2 != null) {
			l2.clear();
		}
		if (tier != null) {
			tier.clear();
		}
		return found;
	}

}
