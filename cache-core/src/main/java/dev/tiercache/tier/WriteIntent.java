package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.stampede.WriteIntents.Intent;

/**
 * A write of one key's backing data (a database write) announced to every instance before it
 * happens, so that concurrent writers of the key cannot leave the cache at the older value: the
 * writer {@linkplain #complete completes} it with the value it wrote, which the cache stores only if
 * no other write of the key overlapped this one, and deletes otherwise (the next read loads what the
 * database holds). A writer whose write failed {@linkplain #abandon abandons} it. Obtained from
 * {@link TieredCache#intendWrite}; completed or abandoned once (later calls do nothing), from any
 * thread.
 */
public final class WriteIntent {

	private final TieredCache cache;

	private final Object key;

	private final long namespace;

	private final Intent registration;

	private final AtomicBoolean finished = new AtomicBoolean();

	WriteIntent(TieredCache cache, Object key, long namespace, Intent registration) {
		this.cache = cache;
		this.key = key;
		this.namespace = namespace;
		this.registration = registration;
	}

	/** The cache the key belongs to. */
	public TieredCache cache() {
		return this.cache;
	}

	/** The key written. */
	public Object key() {
		return this.key;
	}

	/**
	 * Stores the value the write wrote, in both tiers, unless another write of the key overlapped
	 * this one; then, or when the value is {@code null}, deletes the key in both tiers instead.
	 * @param type the type readers decode the value as
	 */
	public void complete(@Nullable Object value, Type type) {
		if (this.finished.compareAndSet(false, true)) {
			this.cache.completeWrite(this, value, type);
		}
	}

	/**
	 * Withdraws the intent of a write that failed or wrote nothing to cache: writes of the key that
	 * overlapped it delete rather than store, and if any did, the key is deleted now.
	 */
	public void abandon() {
		if (this.finished.compareAndSet(false, true)) {
			this.cache.abandonWrite(this);
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
		return "WriteIntent[" + this.cache.getName() + ", " + this.key + "]";
	}

}
