package dev.tiercache.internal.read;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

/**
 * The tags to store a loaded value with, from the value (and whatever the caller knows, such as the
 * method's arguments): {@code @CacheAside(tags = …)} evaluated for one call.
 */
@FunctionalInterface
public interface ResultTags {

	/**
	 * The tags of a loaded value.
	 * @param result the value loaded, {@code null} for none
	 * @throws IllegalArgumentException if a tag cannot be one (blank, say)
	 */
	Collection<String> of(@Nullable Object result);

}
