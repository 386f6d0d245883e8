package dev.tiercache.tier;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Value types, without allocating: the raw class of a declared type (what a value read as that type
 * must be an instance of), and whether a value decoded as one type may be given to a caller of another.
 */
final class Types {

	private Types() {
	}

	/** The raw class of a type; {@code Object} for type variables and wildcards, boxes for primitives. */
	static Class<?> rawClass(Type type) {
		if (type instanceof Class<?> raw) {
			return raw.isPrimitive() ? ClassUtils.resolvePrimitiveIfNecessary(raw) : raw;
		}
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
			return raw;
		}
		if (type instanceof GenericArrayType) {
			return Object[].class;
		}
		return Object.class;
	}

	/**
	 * Whether a value may be given to a caller that reads values of {@code type} (whose
	 * {@linkplain #rawClass raw class} is {@code rawType}): {@code null}; a value decoded as that very
	 * type (checked first, by identity); otherwise an instance of {@code rawType} that was not decoded
	 * (the application's own object) or is asked for by its class alone. A caller of a parameterized or
	 * generic array type gets a decoded value only if it was decoded as an equal type: a {@code List}
	 * decoded as the raw {@code List} holds maps, not the {@code Book}s a {@code List<Book>} caller expects.
	 * @param decodedAs the type the value was decoded as, or {@code null} if it was not decoded
	 */
	static boolean readableAs(@Nullable Object value, @Nullable Type decodedAs, Type type, Class<?> rawType) {
		if (value == null || type == decodedAs) {
			return true;
		}
		return rawType.isInstance(value) && (decodedAs == null
				|| !(type instanceof ParameterizedType || type instanceof GenericArrayType) || type.equals(decodedAs));
	}

}
