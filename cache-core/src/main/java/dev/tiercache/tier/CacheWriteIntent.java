package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.stampede.WriteIntents.Intent;
import dev.tiercache.internal.write.WriteIntent;

/**
 * A {@link WriteIntent} of one cache, with the namespace version and the Redis registration the cache
 * settles it against. Completed or abandoned once (later calls do nothing), from any thread.
 */
final class CacheWriteIntent implements WriteIntent {

	private final CacheWrites writes;

	private final Object key;

	private final long namespace;

	private final Intent registration;

	private final AtomicBoolean finished = new AtomicBoolean();

	CacheWriteIntent(CacheWrites writes, Object key, long namespace, Intent registration) {
		this.writes = writes;
		this.key = key;
		this.namespace = namespace;
		this.registration = registration;
	}

	@Override
	public Object key() {
		return this.key;
	}

	@Override
	public void complete(@Nullable Object value, Type type) {
		if (this.finished.compareAndSet(false, true)) {
			this.writes.complete(this, value, type);
		}
	}

	@Override
	public void abandon() {
		if (this.finished.compareAndSet(false, true)) {
			this.writes.abandon(this);
		}
	}

	/** The cache's namespace version when the intent was registered. */
	long namespace() {
		return this.namespace;
	}

	/** The registration in Redis, or {@link Intent#UNREGISTERED}. */
	Intent registration() {
		return this.registration;
	}

	@Override
	public String toString() {
		return "WriteIntent[" + this.writes.cacheName() + ", " + this.key + "]";
	}

}
