package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.NamespaceVersion;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.write.PendingWrites;

/**
 * The Redis keys of one cache entry: where the framed value lives, and the {@link EntryKeys} of
 * its lease, waiters and pending write (built only when needed, since a hit does not). Used by one
 * thread at a time.
 */
final class RemoteKey {

	private final RedisKeys keys;

	private final String rendered;

	private final String cacheName;

	private final long namespace;

	private final Object original;

	private final @Nullable PendingWrites pendingWrites;

	private final byte @Nullable [] value;

	private @Nullable EntryKeys entry;

	RemoteKey(RedisKeys keys, byte @Nullable [] value, String rendered, String cacheName, long namespace,
			Object original, @Nullable PendingWrites pendingWrites) {
		this.keys = keys;
		this.rendered = rendered;
		this.cacheName = cacheName;
		this.namespace = namespace;
		this.original = original;
		this.pendingWrites = pendingWrites;
		this.value = value;
	}

	/**
	 * Whether the keys are laid out as the cache lays them out now: not if the cache learned since that
	 * it has a write-behind queue ({@code current} are its pending writes now), whose entries live in
	 * their partitions' slots.
	 */
	boolean laidOutAs(@Nullable PendingWrites current) {
		return this.pendingWrites == current;
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

	/** The cache's namespace version in the key, or {@link NamespaceVersion#UNKNOWN}. */
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

	/** A cache and a key, as pending repairs know them. */
	private record RepairId(String cacheName, Object key) {
	}

}
