package dev.tiercache.interceptor;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.PatternMatchUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.NeverCache;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;

/**
 * Refuses a method that would cache a sensitive value: a type or field marked {@link NeverCache}, or
 * whose class name or field name matches a configured pattern ({@code *} matches any run of
 * characters; field names are compared ignoring case). Reads declared types, following type arguments
 * (collections, maps, {@code Optional}, futures, pages) and the fields of the application's types, but
 * not the fields of JDK types nor synthetic ones (an inner class's outer instance). Immutable and
 * thread-safe.
 */
final class SensitiveValueGuard {

	/** How deep type arguments and fields are followed. */
	private static final int MAX_DEPTH = 16;

	private final String[] typePatterns;

	private final String[] fieldPatterns;

	/**
	 * @param typePatterns patterns of class names never to cache, such as {@code com.acme.secrets.*}
	 * @param fieldPatterns patterns of field names never to cache, such as {@code *password*}
	 */
	SensitiveValueGuard(List<String> typePatterns, List<String> fieldPatterns) {
		this.typePatterns = typePatterns.toArray(String[]::new);
		this.fieldPatterns = fieldPatterns.stream().map((pattern) -> pattern.toLowerCase(Locale.ROOT))
			.toArray(String[]::new);
	}

	/**
	 * @throws BeanInitializationException naming the method, what it would cache and the sensitive part,
	 * if it would cache one
	 */
	void check(Method method, Class<?> beanClass, String beanName) {
		if (AnnotatedElementUtils.hasAnnotation(method, CacheAside.class)) {
			refuseIfSensitive(method, beanName, "@CacheAside", "its result", ResolvableType.forMethodReturnType(method,
					beanClass));
		}
		if (AnnotatedElementUtils.hasAnnotation(method, WriteThrough.class)
				|| AnnotatedElementUtils.hasAnnotation(method, WriteThrough.List.class)) {
			refuseIfSensitive(method, beanName, "@WriteThrough", "its result",
					ResolvableType.forMethodReturnType(method, beanClass));
			checkParameters(method, beanClass, beanName, "@WriteThrough");
		}
		if (AnnotatedElementUtils.hasAnnotation(method, WriteBehind.class)) {
			checkParameters(method, beanClass, beanName, "@WriteBehind");
		}
	}

	/** A write's value may be any parameter (its SpEL {@code value}); a write-behind queues them all. */
	private void checkParameters(Method method, Class<?> beanClass, String beanName, String annotation) {
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i).withContainingClass(beanClass);
			refuseIfSensitive(method, beanName, annotation, "parameter " + i,
					ResolvableType.forMethodParameter(parameter));
		}
	}

	private void refuseIfSensitive(Method method, String beanName, String annotation, String what,
			ResolvableType type) {
		String found = sensitivePart(type, describe(type), new HashSet<>(), 0);
		if (found != null) {
			throw new BeanInitializationException(annotation + " method " + method + " of bean '" + beanName
					+ "' would put " + what + " in the cache, and it holds a sensitive value: " + found
					+ ". Cache a type without it (a view holding only what may be cached): Tiercache never caches "
					+ "what is marked @NeverCache or matches tiercache.never-cache.types or "
					+ "tiercache.never-cache.fields");
		}
	}

	/**
	 * A declared type as code shows it, with simple names: {@code Optional<Map<String, Token[]>>}; type
	 * arguments nested deeper than {@value #MAX_DEPTH} (a variable bounded by itself, as in
	 * {@code T extends Comparable<T>}) as {@code ...}.
	 */
	private static String describe(ResolvableType type) {
		return describe(type, 0);
	}

	private static String describe(ResolvableType type, int depth) {
		if (depth > MAX_DEPTH) {
			return "...";
		}
		if (type.isArray()) {
			return describe(type.getComponentType(), depth + 1) + "[]";
		}
		String name = type.toClass().getSimpleName();
		if (!type.hasGenerics()) {
			return name;
		}
		return name + Arrays.stream(type.getGenerics()).map((argument) -> describe(argument, depth + 1))
			.collect(Collectors.joining(", ", "<", ">"));
	}

	/**
	 * Where in a value of this type a sensitive part is, as {@code Type.field.field} (the elements of
	 * arrays and containers are not named), or {@code null}. Each type (with its type arguments) is
	 * looked into once, and no deeper than {@value #MAX_DEPTH} levels.
	 */
	private @Nullable String sensitivePart(ResolvableType type, String path, Set<String> visited, int depth) {
		Class<?> raw = type.resolve();
		if (raw == null || raw.isPrimitive() || depth > MAX_DEPTH || !visited.add(describe(type))) {
			return null;
		}
		if (raw.isArray()) {
			return sensitivePart(type.getComponentType(), path, visited, depth + 1);
		}
		if (AnnotatedElementUtils.hasAnnotation(raw, NeverCache.class)) {
			return path + " (" + raw.getName() + " is marked @NeverCache)";
		}
		if (matchesAny(this.typePatterns, raw.getName())) {
			return path + " (" + raw.getName() + " matches tiercache.never-cache.types)";
		}
		for (ResolvableType argument : type.getGenerics()) {
			String found = sensitivePart(argument, path, visited, depth + 1);
			if (found != null) {
				return found;
			}
		}
		if (isJdkType(raw)) {
			return null;
		}
		String[] found = new String[1];
		ReflectionUtils.doWithFields(raw, (field) -> found[0] = sensitiveField(type, field, path, visited, depth),
				(field) -> found[0] == null && !Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()
						&& !isJdkType(field.getDeclaringClass()));
		return found[0];
	}

	private @Nullable String sensitiveField(ResolvableType owner, Field field, String path, Set<String> visited,
			int depth) {
		String fieldPath = path + "." + field.getName();
		if (AnnotatedElementUtils.hasAnnotation(field, NeverCache.class)) {
			return fieldPath + " (marked @NeverCache)";
		}
		if (matchesAny(this.fieldPatterns, field.getName().toLowerCase(Locale.ROOT))) {
			return fieldPath + " (matches tiercache.never-cache.fields)";
		}
		return sensitivePart(ResolvableType.forField(field, owner), fieldPath, visited, depth + 1);
	}

	private static boolean matchesAny(String[] patterns, String name) {
		return patterns.length > 0 && PatternMatchUtils.simpleMatch(patterns, name);
	}

	private static boolean isJdkType(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.");
	}

}
