package dev.tiercache.interceptor;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.concurrent.Future;

import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Turns resolved generic types into plain {@link Type}s that a codec can decode to.
 */
final class ValueTypes {

	private ValueTypes() {
	}

	/** Whether a type mentions a type variable (or wildcard), so that it means something only for a given bean class. */
	static boolean containsTypeVariable(Type type) {
		if (type instanceof ParameterizedType parameterized) {
			for (Type argument : parameterized.getActualTypeArguments()) {
				if (containsTypeVariable(argument)) {
					return true;
				}
			}
			return false;
		}
		if (type instanceof GenericArrayType array) {
			return containsTypeVariable(array.getGenericComponentType());
		}
		return !(type instanceof Class<?>);
	}

	/** Whether a return type is a future or a reactive stream, whose value is not there when the method returns. */
	static boolean isAsynchronous(Class<?> returnType) {
		String name = returnType.getName();
		return Future.class.isAssignableFrom(returnType) || name.startsWith("reactor.core.publisher.")
				|| name.equals("org.reactivestreams.Publisher");
	}

	/**
	 * A {@link Type} with every type variable replaced by what it resolves to, primitives boxed;
	 * unresolvable variables become {@code Object}.
	 */
	static Type concrete(ResolvableType type) {
		Class<?> raw = type.toClass();
		if (raw.isPrimitive()) {
			return ClassUtils.resolvePrimitiveIfNecessary(raw);
		}
		if (!type.hasGenerics()) {
			return raw;
		}
		ResolvableType[] generics = type.getGenerics();
		ResolvableType[] resolved = new ResolvableType[generics.length];
		for (int i = 0; i < generics.length; i++) {
			resolved[i] = ResolvableType.forType(concrete(generics[i]));
		}
		return ResolvableType.forClassWithGenerics(raw, resolved).getType();
	}

}
