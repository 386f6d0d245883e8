package dev.tiercache.interceptor;

import java.io.Serializable;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Ahead of time, registers the runtime hints a bean with Tiercache-annotated methods (or Spring cache
 * annotations, which Tiercache's fast path reads) needs once the application runs from AOT-processed code
 * or as a native image: its class and those methods for reflection (the advice reads their annotations,
 * and a write-behind flusher invokes the method again later), and every type in their signatures for
 * data binding (the codec writes return values and queued arguments as JSON, and SpEL keys read the
 * arguments' properties). Each application type reached from a signature, through type arguments, array
 * components, fields and record components, also gets its declared fields (the codec compares a value
 * with its decoded copy field by field, and looks for {@code @NeverCache} fields), its class file as a
 * resource if it is a record (the codec reads it to tell a plain record), and Java serialization if it is
 * {@code Serializable} (the codec's fallback). Registered in {@code META-INF/spring/aot.factories}.
 */
final class CachedMethodsAotProcessor implements BeanRegistrationAotProcessor {

	/** What marks a method whose values Tiercache reads and writes: its own annotations and Spring's. */
	private static final List<Class<? extends Annotation>> CACHING = Stream
		.concat(TiercacheOperationSource.ANNOTATIONS.stream(),
				Stream.of(Cacheable.class, CachePut.class, CacheEvict.class, Caching.class))
		.toList();

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		List<Method> methods = annotatedMethods(beanClass);
		if (methods.isEmpty()) {
			return null;
		}
		return (generationContext, beanRegistrationCode) -> registerHints(generationContext.getRuntimeHints(),
				beanClass, methods);
	}

	/**
	 * The methods of a class and its superclasses that carry a caching annotation, on themselves or on
	 * a method they override or implement.
	 */
	static List<Method> annotatedMethods(Class<?> type) {
		List<Method> methods = new ArrayList<>();
		ReflectionUtils.doWithMethods(type, methods::add, CachedMethodsAotProcessor::isAnnotated);
		return methods;
	}

	private static boolean isAnnotated(Method method) {
		for (Class<? extends Annotation> annotation : CACHING) {
			if (AnnotatedElementUtils.hasAnnotation(method, annotation)) {
				return true;
			}
		}
		return false;
	}

	/** Registers what a class whose caching-annotated methods are {@code methods} needs at run time. */
	static void registerHints(RuntimeHints hints, Class<?> beanClass, List<Method> methods) {
		hints.reflection().registerType(beanClass);
		BindingReflectionHintsRegistrar binding = new BindingReflectionHintsRegistrar();
		Set<Class<?>> seen = new HashSet<>();
		for (Method method : methods) {
			hints.reflection().registerMethod(method, ExecutableMode.INVOKE);
			List<Type> signature = new ArrayList<>(List.of(method.getGenericParameterTypes()));
			signature.add(method.getGenericReturnType());
			for (Type type : signature) {
				binding.registerReflectionHints(hints.reflection(), type);
				registerValueHints(hints, ResolvableType.forType(type), seen);
			}
		}
	}

	/** What the codec reads of an application type reached from a signature, and of the types it holds. */
	private static void registerValueHints(RuntimeHints hints, ResolvableType type, Set<Class<?>> seen) {
		for (ResolvableType generic : type.getGenerics()) {
			registerValueHints(hints, generic, seen);
		}
		if (type.isArray()) {
			registerValueHints(hints, type.getComponentType(), seen);
		}
		Class<?> resolved = type.resolve();
		if (resolved == null || !seen.add(resolved) || resolved.isPrimitive() || resolved.isArray()
				|| resolved.getName().startsWith("java.")) {
			return;
		}
		hints.reflection().registerType(resolved, MemberCategory.ACCESS_DECLARED_FIELDS);
		if (resolved.isRecord()) {
			hints.resources().registerType(resolved);
		}
		if (Serializable.class.isAssignableFrom(resolved)) {
			hints.reflection().registerJavaSerialization(resolved);
		}
		ReflectionUtils.doWithFields(resolved,
				(field) -> registerValueHints(hints, ResolvableType.forField(field, type), seen),
				(field) -> !Modifier.isStatic(field.getModifiers()));
	}

}
