package dev.tiercache.autoconfigure.warming;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * What warms one cache: it yields elements, and warms the cache with each by a call of a cached method
 * of a bean through its proxy (the normal read path).
 */
interface Warmer {

	/** The bean whose methods are called. */
	String beanName();

	String cache();

	/** How the log and the endpoint name it. */
	String name();

	/**
	 * Hands each element to warm the cache with to {@code elements}, as they come.
	 * @throws InterruptedException if {@code elements} was interrupted
	 * @throws Throwable what yielding them threw
	 */
	void yieldTo(Object bean, Elements elements) throws Throwable;

	/**
	 * Warms the cache with one element.
	 * @throws Throwable what the call threw
	 */
	void warm(Object bean, @Nullable Object element) throws Throwable;

	/** What takes a warmer's elements, one at a time. */
	@FunctionalInterface
	interface Elements {

		void take(@Nullable Object element) throws InterruptedException;

	}

	/**
	 * Calls {@code action} with the name and class of every singleton bean of {@code beanFactory} (a
	 * scoped proxy's target aside: the proxy stands for it) whose type is known without creating one: the
	 * class behind its proxy, a JDK proxy's included.
	 */
	static void forEachBean(ListableBeanFactory beanFactory, BiConsumer<String, Class<?>> action) {
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
	static boolean callableThroughProxy(Method method) {
		return Modifier.isPublic(method.getModifiers()) && !Modifier.isFinal(method.getModifiers());
	}

	/**
	 * Calls a method on a bean, through its proxy.
	 * @throws Throwable what the method threw
	 */
	static @Nullable Object invoke(Object bean, Method method, @Nullable Object... arguments) throws Throwable {
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
