package dev.tiercache.interceptor;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.NeverCache;

/**
 * Fails start-up when a Tiercache annotation ({@link CacheAside} or a write annotation) sits on a
 * method that a Spring AOP proxy cannot intercept (private, static or final), where it would otherwise
 * be silently ignored, or on a method that would cache a sensitive value ({@link NeverCache}, or a
 * type or field name pattern given here). Each bean class is checked once. Thread-safe.
 */
public final class TiercacheMethodValidator implements BeanPostProcessor {

	private final Set<Class<?>> checked = ConcurrentHashMap.newKeySet();

	private final SensitiveValueGuard sensitiveValues;

	/** Checks methods with {@link NeverCache} as the only mark of sensitive values. */
	public TiercacheMethodValidator() {
		this(List.of(), List.of());
	}

	/**
	 * @param neverCachedTypes patterns of class names never to cache ({@code *} matches any run of
	 * characters), such as {@code com.acme.secrets.*}
	 * @param neverCachedFields patterns of field names never to cache, ignoring case, such as
	 * {@code *password*}
	 */
	public TiercacheMethodValidator(List<String> neverCachedTypes, List<String> neverCachedFields) {
		this.sensitiveValues = new SensitiveValueGuard(neverCachedTypes, neverCachedFields);
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		Class<?> type = ClassUtils.getUserClass(bean);
		if (this.checked.add(type) && AnnotationUtils.isCandidateClass(type, TiercacheOperationSource.ANNOTATIONS)) {
			ReflectionUtils.doWithMethods(type, (method) -> check(method, type, beanName),
					(method) -> annotationOn(method) != null);
		}
		return bean;
	}

	private void check(Method method, Class<?> beanClass, String beanName) {
		if (!isInterceptable(method)) {
			reject(method, annotationOn(method), beanName);
		}
		this.sensitiveValues.check(method, beanClass, beanName);
	}

	private static @Nullable String annotationOn(Method method) {
		for (Class<? extends Annotation> type : TiercacheOperationSource.ANNOTATIONS) {
			if (AnnotatedElementUtils.hasAnnotation(method, type)) {
				return type.getSimpleName();
			}
		}
		return null;
	}

	private static boolean isInterceptable(Method method) {
		int modifiers = method.getModifiers();
		return !Modifier.isPrivate(modifiers) && !Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers);
	}

	private static void reject(Method method, @Nullable String annotation, String beanName) {
		int modifiers = method.getModifiers();
		String kind = Modifier.isPrivate(modifiers) ? "private" : Modifier.isStatic(modifiers) ? "static" : "final";
		throw new BeanInitializationException("@" + annotation + " on " + kind + " method " + method + " of bean '" + beanName
				+ "' would never run: Spring AOP proxies cannot intercept " + kind
				+ " methods. Make the method public, non-static and non-final");
	}

}
