package dev.tiercache.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The classes that Java deserialization of cached values may instantiate: primitives and arrays of
 * allowed classes, the packages {@code java.lang}, {@code java.util}, {@code java.time} and
 * {@code java.math}, Spring Data's {@code org.springframework.data.domain}, and the packages given to
 * the constructor (each with its sub-packages). Anything else is rejected.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SerializationAllowList implements ObjectInputFilter {

	private static final Set<String> JDK_PACKAGES = Set.of("java.lang", "java.util", "java.time", "java.math");

	private static final String SPRING_DATA_DOMAIN = "org.springframework.data.domain";

	private static final long MAX_DEPTH = 64;

	private static final long MAX_ARRAY_LENGTH = 10_000_000;

	private final List<String> packagePrefixes;

	/**
	 * Creates an allow-list.
	 * @param packages packages whose classes (and those of their sub-packages) may be deserialized,
	 * such as the application's own base packages
	 */
	public SerializationAllowList(Collection<String> packages) {
		List<String> prefixes = new ArrayList<>();
		prefixes.add(SPRING_DATA_DOMAIN + ".");
		for (String name : packages) {
			String trimmed = name.strip();
			if (trimmed.isEmpty()) {
				continue;
			}
			prefixes.add(trimmed.endsWith(".") ? trimmed : trimmed + ".");
		}
		this.packagePrefixes = List.copyOf(prefixes);
	}

	@Override
	public Status checkInput(FilterInfo info) {
		if (info.depth() > MAX_DEPTH || info.arrayLength() > MAX_ARRAY_LENGTH) {
			return Status.REJECTED;
		}
		Class<?> type = info.serialClass();
		if (type == null) {
			return Status.UNDECIDED;
		}
		return isAllowed(type) ? Status.ALLOWED : Status.REJECTED;
	}

	/** Whether instances of the class may be deserialized. */
	public boolean isAllowed(Class<?> type) {
		Class<?> component = type;
		while (component.isArray()) {
			component = component.getComponentType();
		}
		if (component.isPrimitive() || JDK_PACKAGES.contains(component.getPackageName())) {
			return true;
		}
		String name = component.getName();
		for (String prefix : this.packagePrefixes) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "SerializationAllowList" + JDK_PACKAGES + this.packagePrefixes;
	}

}
