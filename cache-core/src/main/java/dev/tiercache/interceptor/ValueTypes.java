package dev.tiercache.interceptor;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Turns resolved generic types into plain {@link Type}s that a codec can decode to.
 */
final class ValueTypes {

	private static final String MONO = "reactor.core.publisher.Mono";

	private static final String FLUX = "reactor.core.publisher.Flux";

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
	 * The type of the values a method with Spring's cache annotations caches, as Spring unwraps its
	 * result: {@code Optional<T>}, {@code CompletableFuture<T>} and Reactor's {@code Mono<T>} cache a
	 * {@code T}, {@code Flux<T>} a {@code List<T>}; resolved against the bean's class.
	 * @throws IllegalStateException naming the method if the type does not resolve to concrete classes
	 */
	static Type springValueType(Method method, Class<?> targetClass) {
		ResolvableType returned = ResolvableType.forMethodReturnType(method, targetClass);
		Class<?> raw = returned.toClass();
		ResolvableType value = returned;
		if (raw == Optional.class || raw == CompletableFuture.class || raw.getName().equals(MONO)) {
			value = returned.getGeneric(0);
		}
		else if (raw.getName().equals(FLUX)) {
			value = ResolvableType.forClassWithGenerics(List.class, returned.getGeneric(0));
		}
		else if (raw == void.class) {
			return Object.class;
		}
		if (value.resolve() == null || value.hasUnresolvableGenerics()) {
			throw new IllegalStateException("Tiercache cannot cache the result of " + method + " on "
					+ targetClass.getName() + ": its return type " + returned
					+ " does not resolve to concrete classes, so cached values could not be decoded."
					+ " Declare a concrete return type, or bind the type variable in the bean's class");
		}
		return ValueTypes.concrete(value);
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
