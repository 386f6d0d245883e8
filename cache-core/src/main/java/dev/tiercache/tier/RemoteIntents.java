package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.Coherence;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.stampede.WriteIntents;
import dev.tiercache.internal.stampede.WriteIntents.Intent;
import dev.tiercache.tracing.CacheTracer.Work;

/**
 * The write intents of one cache in Redis: a write of a key's backing data announced to every instance
 * before it happens, then completed with its value or abandoned (see {@link WriteIntents}). Every
 * change is published to the other instances; a Redis failure never reaches the caller: it is counted,
 * the key is deleted once Redis answers again, and the intent counts as unregistered or lost, so that
 * the cache never keeps a value another write may have replaced. Thread-safe.
 */
final class RemoteIntents {

	private final CacheContext cache;

	private final RemoteCache remote;

	private final WriteIntents intents;

	private final Coherence publisher;

	RemoteIntents(CacheContext cache, RedisRuntime redis, RemoteCache remote) {
		this.cache = cache;
		this.remote = remote;
		this.intents = redis.intents();
		this.publisher = redis.publisher();
	}

	/**
	 * Registers a write of the key's backing data about to happen (see {@link WriteIntents}).
	 * @return the registration, or {@link Intent#UNREGISTERED} if the key is not resolved or Redis failed
	 */
	Intent intend(RemoteKey key) {
		if (!key.resolved()) {
			return Intent.UNREGISTERED;
		}
		try {
			return this.cache.callRedis(Work.REDIS_WRITE, () -> this.intents.begin(key.entry()));
		}
		catch (RemoteCallException ex) {
			this.cache.remoteFailed(ex);
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
	boolean complete(RemoteKey key, Intent intent, byte @Nullable [] framed, long ttlMillis) {
		try {
			boolean stored = this.cache.callRedis(Work.REDIS_WRITE,
					() -> this.intents.complete(key.entry(), intent, framed, this.remote.redisTtl(ttlMillis)));
			this.cache.written(key);
			this.publisher.publish(key.value());
			return stored;
		}
		catch (RemoteCallException ex) {
			this.remote.deleteLater(key);
			this.cache.remoteFailed(ex);
			return false;
		}
	}

	/**
	 * Withdraws a registered write that failed; the key is deleted if another write overlapped it
	 * (once Redis answers, if it fails now).
	 * @return whether the key was deleted
	 */
	boolean abandon(RemoteKey key, Intent intent) {
		try {
			boolean deleted = this.cache.callRedis(Work.REDIS_WRITE, () -> this.intents.abandon(key.entry(), intent));
			this.cache.written(key);
			if (deleted) {
				this.publisher.publish(key.value());
			}
			return deleted;
		}
		catch (RemoteCallException ex) {
			this.remote.deleteLater(key);
			this.cache.remoteFailed(ex);
			return true;
		}
	}

}
