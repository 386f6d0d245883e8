package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;

/**
 * Fails start-up when {@link CacheAside} sits on a method that a Spring AOP proxy cannot intercept
 * (private, static or final), where it would otherwise be silently ignored. Each bean class is
 * checked once. Thread-safe.
 */
public final class CacheAsideMethodValidator implements BeanPostProcessor {

	private final Set<Class<?>> checked = ConcurrentHashMap.newKeySet();

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		Class<?> type = ClassUtils.getUserClass(bean);
		if (this.checked.add(type) && AnnotationUtils.isCandidateClass(type, CacheAside.class)) {
			ReflectionUtils.doWithMethods(type, (method) -> reject(method, beanName),
					(method) -> AnnotatedElementUtils.hasAnnotation(method, CacheAside.class) && !isInterceptable(method));
		}
		return bean;
	}

	private static boolean isInterceptable(Method method) {
		int modifiers = method.getModifiers();
		return !Modifier.isPrivate(modifiers) && !Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers);
	}

	private static void reject(Method method, String beanName) {
		int modifiers = method.getModifiers();
		String kind = Modifier.isPrivate(modifiers) ? "private" : Modifier.isStatic(modifiers) ? "static" : "final";
		throw new BeanInitializationException("@CacheAside on " + kind + " method " + method + " of bean '" + beanName
				+ "' would never run: Spring AOP proxies cannot intercept " + kind
				+ " methods. Make the method public, non-static and non-final");
	}

}
