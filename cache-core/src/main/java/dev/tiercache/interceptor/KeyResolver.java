package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKeyGenerator;

/**
 * Computes the cache key of one call of a cached method. Built once per method; thread-safe.
 */
@FunctionalInterface
interface KeyResolver {

	/** The key of a method without a key expression and with several (or no) parameters: all of them. */
	KeyResolver ALL_PARAMETERS = (method, arguments, target) -> SimpleKeyGenerator.generateKey(arguments);

	/**
	 * The key of a method without a key expression and with one parameter: the argument itself, as
	 * {@link SimpleKeyGenerator} would make it, read without a varargs call.
	 */
	KeyResolver ONLY_PARAMETER = (method, arguments, target) -> {
		Object argument = arguments[0];
		return (argument != null && !argument.getClass().isArray()) ? argument
				: SimpleKeyGenerator.generateKey(arguments);
	};

	/** {@code keys} over every argument but the last: a Kotlin suspend function's continuation. */
	static KeyResolver withoutLastArgument(KeyResolver keys) {
		return (method, arguments, target) -> keys.resolve(method, Arrays.copyOf(arguments, arguments.length - 1),
				target);
	}

	/**
	 * @throws IllegalStateException naming the method if the key cannot be computed
	 */
	Object resolve(Method method, @Nullable Object[] arguments, @Nullable Object target);

	/** The key of a {@code #name} or {@code #p0} expression: one argument, with no SpEL evaluation. */
	static KeyResolver parameter(int index, String annotation, String expression) {
		return (method, arguments, target) -> {
			Object key = arguments[index];
			if (key == null) {
				throw nullKey(annotation, method, expression);
			}
			return key;
		};
	}

	static IllegalStateException nullKey(String annotation, Method method, String expression) {
		return new IllegalStateException("Key expression '" + expression + "' of @" + annotation + " on " + method
				+ " evaluated to null; make the key non-null or add a 'condition' that skips caching for it");
	}

}
