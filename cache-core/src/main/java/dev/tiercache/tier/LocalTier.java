package dev.tiercache.tier;

import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.jspecify.annotations.Nullable;

/**
 * The L1 tier of one cache: a bounded Caffeine cache of decoded values, each entry with its own
 * lifetime (never longer than the Redis entry it mirrors). Thread-safe.
 */
final class LocalTier {

	private final Cache<Object, LocalEntry> entries;

	LocalTier(long maxSize) {
		this.entries = Caffeine.newBuilder()
			.maximumSize(maxSize)
			.expireAfter(new PerEntryLifetime())
			.build();
	}

	@Nullable LocalEntry get(Object key) {
		return this.entries.getIfPresent(key);
	}

	/** Stores a value ({@code null} for a null marker) for the given time; nothing if it is not positive. */
	void put(Object key, @Nullable Object value, long lifetimeMillis) {
		if (lifetimeMillis > 0) {
			this.entries.put(key, new LocalEntry(value, TimeUnit.MILLISECONDS.toNanos(lifetimeMillis)));
		}
		else {
			this.entries.invalidate(key);
		}
	}

	void evict(Object key) {
		this.entries.invalidate(key);
	}

	void clear() {
		this.entries.invalidateAll();
	}

	long size() {
		return this.entries.estimatedSize();
	}

	Cache<Object, LocalEntry> nativeCache() {
		return this.entries;
	}

	/** Expires each entry after its own lifetime, counted from its last write. */
	private static final class PerEntryLifetime implements Expiry<Object, LocalEntry> {

		@Override
		public long expireAfterCreate(Object key, LocalEntry entry, long currentTime) {
			return entry.lifetimeNanos();
		}

		@Override
		public long expireAfterUpdate(Object key, LocalEntry entry, long currentTime, long currentDuration) {
			return entry.lifetimeNanos();
		}

		@Override
		public long expireAfterRead(Object key, LocalEntry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

	/**
	 * One L1 entry.
	 * @param value the value, {@code null} for a cached null
	 * @param lifetimeNanos how long it lives from insertion
	 */
	record LocalEntry(@Nullable Object value, long lifetimeNanos) {
	}

}
