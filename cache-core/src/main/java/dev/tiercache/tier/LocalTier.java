package dev.tiercache.tier;

import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;

/**
 * The L1 tier of one cache: a size-bounded Caffeine cache of decoded values, each entry with its own
 * deadline (never later than the Redis entry it mirrors), checked on read against a
 * {@link CoarseClock}. An expired entry is removed when it is read, or evicted by size like any
 * other; Caffeine's own time-based expiry is not used, since its bookkeeping on every read costs
 * more than the rest of a hit. Thread-safe; a hit allocates nothing and reads no system clock.
 */
final class LocalTier {

	private final Cache<Object, LocalEntry> entries;

	private final CoarseClock clock;

	LocalTier(long maxSize, CoarseClock clock) {
		this.entries = Caffeine.newBuilder().maximumSize(maxSize).build();
		this.clock = clock;
	}

	/** The live entry for the key, or {@code null}. */
	@Nullable LocalEntry get(Object key) {
		LocalEntry entry = this.entries.getIfPresent(key);
		if (entry != null && entry.deadlineNanos() - this.clock.read() <= 0) {
			this.entries.asMap().remove(key, entry);
			return null;
		}
		return entry;
	}

	/** Stores a value ({@code null} for a null marker) for the given time; nothing if it is not positive. */
	void put(Object key, @Nullable Object value, long lifetimeMillis) {
		if (lifetimeMillis > 0) {
			this.entries.put(key,
					new LocalEntry(value, this.clock.read() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis)));
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

	/**
	 * One L1 entry.
	 * @param value the value, {@code null} for a cached null
	 * @param deadlineNanos when it expires, on the {@link CoarseClock}
	 */
	record LocalEntry(@Nullable Object value, long deadlineNanos) {
	}

}
