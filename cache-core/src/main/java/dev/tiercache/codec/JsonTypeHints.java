package dev.tiercache.codec;

import java.io.Serializable;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

import org.springframework.util.ClassUtils;

/**
 * The type hints of {@link JsonOrSerializedValueCodec}'s JSON payloads: JSON carries no class names, so
 * a reader that declares no type would get maps, lists and the narrowest numbers ({@code Integer} for
 * a {@code Long} 10). A hint is the declared type in Jackson's canonical notation
 * ({@code java.util.List<dev.shop.Book>}).
 *
 * <p>A hint read back comes from Redis, which others can write, so it is admitted only if it is at most
 * {@link EncodedValue#MAX_TYPE_HINT} characters and every class it names is one a typed reader could
 * declare without risk: the JDK's value and collection types listed here and {@code java.time}'s (never
 * {@code Class}, {@code Thread} or anything else of the JDK), or a record, an enum or a
 * {@code Serializable} class that the {@link SerializationAllowList} admits outside the JDK (not any
 * other class of the application's packages, which Jackson would build through constructors and
 * setters). A writer writes a hint only if a reader would admit it.
 * Names are checked as text before any class is loaded, and classes are loaded without being
 * initialized before they are checked. Thread-safe; hints read are remembered, up to
 * {@value #MAX_REMEMBERED} of them.
 */
final class JsonTypeHints {

	private static final int MAX_REMEMBERED = 1024;

	private static final Pattern TYPE_SEPARATORS = Pattern.compile("[<>,]");

	private static final Pattern CLASS_NAME = Pattern.compile("[\\w$]+(\\.[\\w$]+)+");

	private static final Set<String> JDK_TYPES = Set.of("java.lang.String", "java.lang.Boolean", "java.lang.Byte",
			"java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
			"java.lang.Character", "java.lang.Object", "java.math.BigDecimal", "java.math.BigInteger",
			"java.util.Collection", "java.util.List", "java.util.ArrayList", "java.util.LinkedList", "java.util.Set",
			"java.util.HashSet", "java.util.LinkedHashSet", "java.util.SortedSet", "java.util.TreeSet", "java.util.Map",
			"java.util.HashMap", "java.util.LinkedHashMap", "java.util.SortedMap", "java.util.TreeMap",
			"java.util.Optional", "java.util.OptionalInt", "java.util.OptionalLong", "java.util.OptionalDouble",
			"java.util.UUID", "java.util.Locale", "java.util.Currency");

	private static final String JAVA_TIME = "java.time.";

	private final TypeFactory types;

	private final Function<Type, JavaType> javaTypes;

	private final SerializationAllowList allowList;

	/** Hints by declared type; empty for a type that gets none. */
	private final Map<Type, String> written = new ConcurrentHashMap<>();

	private final Map<String, Optional<JavaType>> read = new ConcurrentHashMap<>();

	JsonTypeHints(TypeFactory types, Function<Type, JavaType> javaTypes, SerializationAllowList allowList) {
		this.types = types;
		this.javaTypes = javaTypes;
		this.allowList = allowList;
	}

	/** The hint of a JSON payload written as {@code declaredType}; {@code null} for {@code Object}. */
	@Nullable String of(Type declaredType) {
		String hint = this.written.get(declaredType);
		if (hint == null) {
			hint = hintOf(declaredType);
			this.written.put(declaredType, hint);
		}
		return hint.isEmpty() ? null : hint;
	}

	/**
	 * The hint of a declared type, only if a reader of this codec would admit it (so that a reader never
	 * finds a hint it refuses where it would have decoded the same as without one); {@code ""} if none.
	 */
	private String hintOf(Type declaredType) {
		Type boxed = (declaredType instanceof Class<?> type) ? ClassUtils.resolvePrimitiveIfNecessary(type)
				: declaredType;
		if (boxed == Object.class) {
			return "";
		}
		String canonical = this.javaTypes.apply(boxed).toCanonical();
		return (typeOf(canonical) != null) ? canonical : "";
	}

	/** The type a hint names if every class in it is admitted, or {@code null}. */
	@Nullable JavaType typeOf(String hint) {
		if (hint.length() > EncodedValue.MAX_TYPE_HINT) {
			return null;
		}
		Optional<JavaType> known = this.read.get(hint);
		if (known == null) {
			known = admitted(hint);
			if (known == null) {
				// a class that this thread's class loader cannot see: decided again next time
				return null;
			}
			if (this.read.size() < MAX_REMEMBERED) {
				this.read.put(hint, known);
			}
		}
		return known.orElse(null);
	}

	/** The admitted type, empty if refused, or {@code null} if a class it names cannot be loaded. */
	private @Nullable Optional<JavaType> admitted(String hint) {
		for (String name : TYPE_SEPARATORS.split(hint)) {
			if (name.isBlank()) {
				continue;
			}
			Boolean admitted = admittedClass(name.strip());
			if (admitted == null) {
				return null;
			}
			if (!admitted) {
				return Optional.empty();
			}
		}
		try {
			return Optional.of(this.types.constructFromCanonical(hint));
		}
		catch (IllegalArgumentException | LinkageError ex) {
			return Optional.empty();
		}
	}

	/** Whether a class named in a hint is admitted; {@code null} if it cannot be loaded. */
	private @Nullable Boolean admittedClass(String className) {
		if (!CLASS_NAME.matcher(className).matches()) {
			return false;
		}
		if (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
				|| className.startsWith("sun.")) {
			return JDK_TYPES.contains(className) || (className.startsWith(JAVA_TIME)
					&& className.indexOf('.', JAVA_TIME.length()) < 0);
		}
		return this.allowList.isAllowed(className) ? isValueClass(className) : Boolean.FALSE;
	}

	/**
	 * Whether an allow-listed class is a record, an enum or {@code Serializable}, loaded without being
	 * initialized; {@code null} if it cannot be loaded.
	 */
	private @Nullable Boolean isValueClass(String className) {
		try {
			Class<?> type = ClassUtils.forName(className, this.types.getClassLoader());
			return type.isRecord() || type.isEnum() || Serializable.class.isAssignableFrom(type);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

}
