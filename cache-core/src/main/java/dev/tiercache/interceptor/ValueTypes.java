package dev.tiercache.interceptor;

import java.lang.reflect.Type;

import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Turns resolved generic types into plain {@link Type}s that a codec can decode to.
 */
final class ValueTypes {

	private ValueTypes() {
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
