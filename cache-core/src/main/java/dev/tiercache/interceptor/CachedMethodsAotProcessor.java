package dev.tiercache.interceptor;

import java.io.Serializable;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Ahead of time, registers the runtime hints a bean with Tiercache-annotated methods needs once the
 * application runs from AOT-processed code or as a native image: its class and those methods for
 * reflection (the advice reads their annotations, and a write-behind flusher invokes the method again
 * later), and every type in their signatures for data binding (the codec writes return values and
 * queued arguments as JSON, and SpEL keys read the arguments' properties), with a record's class file as
 * a resource (the codec reads it to tell a plain record) and a {@code Serializable} type for Java
 * serialization (the codec's fallback). Registered in {@code META-INF/spring/aot.factories}.
 */
final class CachedMethodsAotProcessor implements BeanRegistrationAotProcessor {

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
	 * The methods of a class and its superclasses that carry a Tiercache annotation, on themselves or on
	 * a method they override or implement.
	 */
	static List<Method> annotatedMethods(Class<?> type) {
		List<Method> methods = new ArrayList<>();
		ReflectionUtils.doWithMethods(type, methods::add, CachedMethodsAotProcessor::isAnnotated);
		return methods;
	}

	private static boolean isAnnotated(Method method) {
		for (Class<? extends Annotation> annotation : TiercacheOperationSource.ANNOTATIONS) {
			if (AnnotatedElementUtils.hasAnnotation(method, annotation)) {
				return true;
			}
		}
		return false;
	}

	/** Registers what a class whose Tiercache-annotated methods are {@code methods} needs at run time. */
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
				registerCodecHints(hints, ResolvableType.forType(type), seen);
			}
		}
	}

	/** A record's class file and a serializable type's serialization, for the type and its generics. */
	private static void registerCodecHints(RuntimeHints hints, ResolvableType type, Set<Class<?>> seen) {
		Class<?> resolved = type.resolve();
		if (resolved != null && seen.add(resolved) && !resolved.isPrimitive()
				&& !resolved.getName().startsWith("java.")) {
			if (resolved.isRecord()) {
				hints.resources().registerType(resolved);
			}
			if (Serializable.class.isAssignableFrom(resolved)) {
				hints.reflection().registerJavaSerialization(resolved);
			}
		}
		for (ResolvableType generic : type.getGenerics()) {
			registerCodecHints(hints, generic, seen);
		}
		if (type.isArray()) {
			registerCodecHints(hints, type.getComponentType(), seen);
		}
	}

}
