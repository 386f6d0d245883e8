package dev.tiercache.interceptor;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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

/**
 * Fails start-up when a Tiercache annotation ({@link CacheAside} or a write annotation) sits on a
 * method that a Spring AOP proxy cannot intercept (private, static or final), where it would otherwise
 * be silently ignored. Each bean class is checked once. Thread-safe.
 */
public final class TiercacheMethodValidator implements BeanPostProcessor {

	private final Set<Class<?>> checked = ConcurrentHashMap.newKeySet();

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		Class<?> type = ClassUtils.getUserClass(bean);
		if (this.checked.add(type) && AnnotationUtils.isCandidateClass(type, TiercacheOperationSource.ANNOTATIONS)) {
			ReflectionUtils.doWithMethods(type, (method) -> reject(method, annotationOn(method), beanName),
					(method) -> annotationOn(method) != null && !isInterceptable(method));
		}
		return bean;
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
