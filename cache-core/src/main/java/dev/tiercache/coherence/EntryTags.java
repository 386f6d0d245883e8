package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisKeys;

/**
 * The tags an entry carries, and the tag clock of its cache as this instance knew it before the entry's
 * value was read from the backing store ({@link TagVersions#stamp()}): the entry counts as invalidated once
 * one of its tags was invalidated at a later clock. Immutable.
 *
 * @param names the tags, each once, in the order given
 * @param stamp the cache's tag clock before the value was read
 */
public record EntryTags(List<String> names, long stamp) {

	/** The most tags one entry may carry. */
	public static final int MAX_TAGS = 64;

	/** The longest a tag may be, in UTF-8 bytes. */
	public static final int MAX_TAG_BYTES = 256;

	public EntryTags {
		names = List.copyOf(names);
	}

	/**
	 * The tags to store an entry with, or {@code null} for none.
	 * @param tags the tags as the application gave them (repeats are kept once)
	 * @param stamp the cache's tag clock before the value was read ({@link TagVersions#stamp()})
	 * @throws IllegalArgumentException if a tag is not one ({@link #problem}), or there are more than
	 * {@link #MAX_TAGS}
	 */
	public static @Nullable EntryTags of(Collection<String> tags, long stamp) {
		if (tags.isEmpty()) {
			return null;
		}
		Set<String> distinct = new LinkedHashSet<>(tags);
		if (distinct.size() > MAX_TAGS) {
			throw new IllegalArgumentException(
					"An entry carries at most " + MAX_TAGS + " tags, not " + distinct.size());
		}
		for (String tag : distinct) {
			requireTag(tag);
		}
		return new EntryTags(List.copyOf(distinct), stamp);
	}

	/**
	 * Checks a tag as the application gave it.
	 * @throws IllegalArgumentException naming the tag and what is wrong with it ({@link #problem})
	 */
	public static String requireTag(@Nullable String tag) {
		String problem = problem(tag);
		if (problem != null) {
			throw new IllegalArgumentException("Tag " + ((tag != null) ? "'" + tag + "'" : "null") + " " + problem);
		}
		return tag;
	}

	/** What makes a text unfit to be a tag, or {@code null} if it is one: not blank, well-formed, not too long. */
	public static @Nullable String problem(@Nullable String tag) {
		if (tag == null || tag.isBlank()) {
			return "is blank; a tag names what entries depend on, such as 'product:42'";
		}
		if (!RedisKeys.isWellFormed(tag)) {
			return "holds a lone surrogate, which UTF-8 cannot carry";
		}
		if (tag.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_BYTES) {
			return "is longer than " + MAX_TAG_BYTES + " bytes in UTF-8";
		}
		return null;
	}

}
