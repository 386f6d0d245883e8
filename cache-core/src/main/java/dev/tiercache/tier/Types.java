package dev.tiercache.tier;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

import org.springframework.util.ClassUtils;

/**
 * The raw class of a declared value type, without allocating: what a value read as that type must be
 * an instance of.
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

}
