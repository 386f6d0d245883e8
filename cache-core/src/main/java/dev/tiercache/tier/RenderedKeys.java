package dev.tiercache.tier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The keys of one {@link LocalTier} as Redis names them. A tier that mirrors Redis renders each key
 * ({@link #rendered}) on every write and stamp, never on a hit, and indexes its resident entries by
 * that name, so that a change reported by the name alone finds its entry ({@link #keyOf}); a tier
 * without Redis renders nothing and indexes nothing.
 *
 * <p>The index holds a name only while an entry of that name is resident under the key: it is updated
 * within the key's atomic step of every change to the entry ({@link #replaced}, and {@link #evicted}
 * for Caffeine's own evictions), so it never holds more keys than there are resident entries
 * ({@code LocalTierInvalidationTests.theIndexFollowsEvictionsRemovalsAndClears}). Thread-safe.
 */
final class RenderedKeys {

	/** Resident entries by rendered key (tiers that mirror Redis only). */
	private final Map<String, Object> byRendered = new ConcurrentHashMap<>();

	private final @Nullable Function<Object, String> renderer;

	/** @param renderer how Redis names a key, for a tier that mirrors Redis; {@code null} otherwise */
	RenderedKeys(@Nullable Function<Object, String> renderer) {
		this.renderer = renderer;
	}

	/** Whether the tier mirrors Redis, and so names and indexes its keys. */
	boolean mirrorsRedis() {
		return this.renderer != null;
	}

	/** The key as Redis names it, in a tier that mirrors Redis; {@code null} otherwise. */
	@Nullable String rendered(Object key) {
		Function<Object, String> render = this.renderer;
		return (render != null) ? render.apply(key) : null;
	}

	/** The key of the resident entry Redis names {@code rendered}, or {@code null} if none is indexed. */
	@Nullable Object keyOf(String rendered) {
		return this.byRendered.get(rendered);
	}

	/**
	 * Keeps the index in step with an entry being replaced (inside the key's atomic step), and returns
	 * the new entry.
	 */
	@Nullable LocalEntry replaced(Object key, @Nullable LocalEntry current, @Nullable LocalEntry next) {
		if (current != null && current.rendered() != null
				&& (next == null || !current.rendered().equals(next.rendered()))) {
			this.byRendered.remove(current.rendered(), key);
		}
		if (next != null && next.rendered() != null) {
			this.byRendered.put(next.rendered(), key);
		}
		return next;
	}

	/** Caffeine evicted the entry (within the key's atomic step): forgets it. */
	void evicted(Object key, LocalEntry entry) {
		if (entry.rendered() != null) {
			this.byRendered.remove(entry.rendered(), key);
		}
	}

	/** How many keys the index holds: never more than the resident entries. */
	int size() {
		return this.byRendered.size();
	}

}
