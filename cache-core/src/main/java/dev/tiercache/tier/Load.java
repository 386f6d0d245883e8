package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.internal.read.ResultTags;
import dev.tiercache.internal.read.ValueLoader;

/**
 * One read with a loader that missed L1, as a read verb of {@link TieredCache} asks for it: built once
 * per call (never on an L1 hit), with the key rendered once as Redis names it, and handed to
 * {@link ReadThrough}, which keeps it for every step of the read (its L1 read, Redis, the lease, the
 * loader, the stores, a background reload).
 * @param key the key as the cache was given it
 * @param redisName the key as Redis names it, in a cache that uses Redis; {@code null} otherwise
 * @param type the type values are decoded to and encoded as
 * @param rawType the raw class of {@code type}
 * @param settings the TTLs to store new entries with (the cache's, or an annotation's overrides)
 * @param loader produces the value on a miss
 * @param unless tells which loaded values not to cache; {@code null} caches all
 * @param tags the tags of a loaded value; {@code null} for none
 * @param tagStamp the cache's tag clock as this instance knew it when the read began (before the loader
 * runs), which the loaded value's tags are stamped with ({@link EntryTags})
 */
record Load(Object key, @Nullable String redisName, Type type, Class<?> rawType, CacheSettings settings,
		ValueLoader loader, @Nullable Predicate<@Nullable Object> unless, @Nullable ResultTags tags, long tagStamp) {

	/** Whether a loaded value is to be returned but cached nowhere. */
	boolean excludes(@Nullable Object value) {
		return this.unless != null && this.unless.test(value);
	}

	/**
	 * The tags to store a loaded value with, stamped with {@link #tagStamp()}; {@code null} for none.
	 * @throws IllegalArgumentException if a tag cannot be one
	 */
	@Nullable EntryTags tagsOf(@Nullable Object value) {
		ResultTags resultTags = this.tags;
		return (resultTags != null) ? EntryTags.of(resultTags.of(value), this.tagStamp) : null;
	}

}
