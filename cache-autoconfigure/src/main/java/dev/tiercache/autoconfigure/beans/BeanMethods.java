package dev.tiercache.autoconfigure.beans;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds application beans and calls their methods through their proxies, so that the calls take the
 * normal (advised) path. Stateless.
 */
public final class BeanMethods {

	private BeanMethods() {
	}

	/**
	 * Calls {@code action} with the name and class of every singleton bean of {@code beanFactory} (a
	 * scoped proxy's target aside: the proxy stands for it) whose type is known without creating one: the
	 * class behind its proxy, a JDK proxy's included.
	 */
	public static void forEachBean(ListableBeanFactory beanFactory, BiConsumer<String, Class<?>> action) {
		for (String beanName : beanFactory.getBeanNamesForType(Object.class, false, false)) {
			if (ScopedProxyUtils.isScopedTarget(beanName)) {
				continue;
			}
			Class<?> type = (beanFactory instanceof ConfigurableListableBeanFactory configurable)
					? AutoProxyUtils.determineTargetClass(configurable, beanName) : null;
			type = (type != null) ? type : beanFactory.getType(beanName, false);
			if (type != null) {
				action.accept(beanName, ClassUtils.getUserClass(type));
			}
		}
	}

	/** Whether a call of the method on the bean's proxy reaches the advice: it is public and not final. */
	public static boolean callableThroughProxy(Method method) {
		return Modifier.isPublic(method.getModifiers()) && !Modifier.isFinal(method.getModifiers());
	}

	/**
	 * What a call returned, once there: a {@code Mono} is waited for (warming a {@code Mono} method reads
	 * its cache only when subscribed).
	 * @throws RuntimeException what the {@code Mono} failed with
	 */
	public static @Nullable Object awaited(@Nullable Object returned) {
		return (returned instanceof Mono<?> mono) ? mono.block() : returned;
	}

	/**
	 * Calls a method on a bean, through its proxy.
	 * @throws Throwable what the method threw
	 */
	public static @Nullable Object invoke(Object bean, Method method, @Nullable Object... arguments) throws Throwable {
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		ReflectionUtils.makeAccessible(invocable);
		try {
			return invocable.invoke(bean, arguments);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
