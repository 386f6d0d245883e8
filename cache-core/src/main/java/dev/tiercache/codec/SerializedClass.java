package dev.tiercache.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A class description read from a Java serialization stream (its {@code classDesc}): the class's name,
 * flags, field types and superclass, filled in as {@link HashingWork} reads them (the description gets
 * its handle before its fields and superclass are read). Loads no class. Not thread-safe.
 */
final class SerializedClass {

	/** Collections whose hash code, while they are read, covers what they hold so far. */
	private static final Set<String> FILLED_AS_READ = Set.of("java.util.HashSet", "java.util.HashMap",
			"java.util.Hashtable", "java.util.LinkedList", "java.util.IdentityHashMap");

	final String name;

	byte flags;

	char[] fieldTypes = new char[0];

	@Nullable SerializedClass superclass;

	SerializedClass(String name) {
		this.name = name;
	}

	/** The classes whose data an object of this class holds, highest superclass first. */
	List<SerializedClass> hierarchy() {
		List<SerializedClass> levels = new ArrayList<>();
		for (SerializedClass level = this; level != null; level = level.superclass) {
			levels.add(0, level);
		}
		return levels;
	}

	/**
	 * Whether an object of this class is a collection that fills as it is read (a hash table, a
	 * {@code LinkedList}, an {@code IdentityHashMap}), so that a reference to it while it is read hashes
	 * what it holds by then.
	 */
	boolean filledAsRead() {
		for (SerializedClass level = this; level != null; level = level.superclass) {
			if (FILLED_AS_READ.contains(level.name)) {
				return true;
			}
		}
		return false;
	}

}
