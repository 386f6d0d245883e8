package dev.tiercache.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * The classes that Java deserialization of cached values may instantiate, and the resource limits it
 * runs under.
 *
 * <p><b>Classes:</b> primitives and arrays of allowed classes; the packages {@code java.lang},
 * {@code java.util}, {@code java.time} and {@code java.math}; Spring Data's
 * {@code org.springframework.data.domain}; Hibernate's persistent collections
 * ({@code org.hibernate.collection}) when Hibernate is on the class path, so that JPA entities with
 * initialised collections round-trip; and the packages given to the constructor (each with its
 * sub-packages). Anything else is rejected.
 *
 * <p><b>Limits:</b> an object graph at most {@value #MAX_DEPTH} deep with at most
 * {@value #MAX_REFERENCES} references, and no array longer than the payload has bytes (each element
 * takes at least one), so that a small payload declaring a huge array is refused before anything large
 * is allocated. Use {@link #forPayload} to get a filter that applies them to one payload and records
 * what it refused. These limits do not bound the hash codes that reading hash tables computes (a
 * nested-set bomb of a few kB takes width<sup>depth</sup> steps well within them):
 * {@link JsonOrSerializedValueCodec} counts those before it reads a payload.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SerializationAllowList implements ObjectInputFilter {

	/** The deepest object graph accepted. */
	public static final long MAX_DEPTH = 50;

	/** The most object references accepted in one payload. */
	public static final long MAX_REFERENCES = 1_000_000;

	private static final Set<String> JDK_PACKAGES = Set.of("java.lang", "java.util", "java.time", "java.math");

	private static final String SPRING_DATA_DOMAIN = "org.springframework.data.domain";

	private static final String HIBERNATE_COLLECTIONS = "org.hibernate.collection";

	private final List<String> packagePrefixes;

	/**
	 * Creates an allow-list.
	 * @param packages packages whose classes (and those of their sub-packages) may be deserialized,
	 * such as the application's own base packages
	 */
	public SerializationAllowList(Collection<String> packages) {
		List<String> prefixes = new ArrayList<>();
		prefixes.add(SPRING_DATA_DOMAIN + ".");
		if (ClassUtils.isPresent(HIBERNATE_COLLECTIONS + ".spi.PersistentCollection",
				SerializationAllowList.class.getClassLoader())) {
			prefixes.add(HIBERNATE_COLLECTIONS + ".");
		}
		for (String name : packages) {
			String trimmed = name.strip();
			if (!trimmed.isEmpty()) {
				prefixes.add(trimmed.endsWith(".") ? trimmed : trimmed + ".");
			}
		}
		this.packagePrefixes = List.copyOf(prefixes);
	}

	/** Applies the class rule and the depth and reference limits (not the array limit, which needs the payload's size). */
	@Override
	public Status checkInput(FilterInfo info) {
		if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES) {
			return Status.REJECTED;
		}
		Class<?> type = info.serialClass();
		if (type == null) {
			return Status.UNDECIDED;
		}
		return isAllowed(type) ? Status.ALLOWED : Status.REJECTED;
	}

	/** A filter for one payload of {@code length} bytes, which remembers why it refused. */
	public PayloadFilter forPayload(int length) {
		return new PayloadFilter(length);
	}

	/** Whether instances of the class may be deserialized. */
	public boolean isAllowed(Class<?> type) {
		Class<?> component = type;
		while (component.isArray()) {
			component = component.getComponentType();
		}
		return component.isPrimitive() || isAllowed(component.getName());
	}

	/**
	 * Whether instances of the class of this binary name may be deserialized: as {@link #isAllowed(Class)},
	 * decided from the name alone, without loading the class. Array names ({@code [L…;}) are refused.
	 */
	public boolean isAllowed(String className) {
		int lastDot = className.lastIndexOf('.');
		if (lastDot <= 0 || className.startsWith("[")) {
			return false;
		}
		for (String jdk : JDK_PACKAGES) {
			if (lastDot == jdk.length() && className.startsWith(jdk)) {
				return true;
			}
		}
		for (String prefix : this.packagePrefixes) {
			if (className.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "SerializationAllowList" + JDK_PACKAGES + this.packagePrefixes;
	}

	/**
	 * The allow-list applied to one payload. Not thread-safe: one per stream.
	 */
	public final class PayloadFilter implements ObjectInputFilter {

		private final int length;

		private @Nullable String refusal;

		private PayloadFilter(int length) {
			this.length = length;
		}

		@Override
		public Status checkInput(FilterInfo info) {
			if (info.arrayLength() > this.length) {
				return refuse("an array of " + info.arrayLength() + " elements in a payload of " + this.length + " bytes");
			}
			if (info.depth() > MAX_DEPTH) {
				return refuse("an object graph deeper than " + MAX_DEPTH);
			}
			if (info.references() > MAX_REFERENCES) {
				return refuse("more than " + MAX_REFERENCES + " object references");
			}
			Class<?> type = info.serialClass();
			if (type == null || isAllowed(type)) {
				return (type != null) ? Status.ALLOWED : Status.UNDECIDED;
			}
			return refuse("class " + type.getName() + ", outside the allow-list");
		}

		private Status refuse(String what) {
			if (this.refusal == null) {
				this.refusal = what;
			}
			return Status.REJECTED;
		}

		/** What was refused first, or {@code null}. */
		public @Nullable String refusal() {
			return this.refusal;
		}

	}

}
