package dev.tiercache.interceptor;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cache.config.CacheManagementConfigUtils;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.core.PriorityOrdered;

/**
 * Puts {@link SpringCacheInterceptor} in the place of Spring's cache interceptor behind
 * {@code @EnableCaching} (proxy mode), as Spring's cache advisor is created, before any bean is proxied
 * with it: {@code @Cacheable} methods on Tiercache's caches then take its fast path with no change to
 * the application, and every other method still runs through Spring's interceptor. A post-processor of
 * the highest precedence, so that it is in place before the advisor can be created; declare it as a
 * {@code static} bean. Tiercache's auto-configuration does unless {@code tiercache.spring-annotations=spring}.
 * Without {@code @EnableCaching}, with {@code mode = ASPECTJ}, or when the application replaced Spring's
 * interceptor with a subclass of its own, it does nothing.
 */
public final class SpringCacheFastPath
		implements BeanPostProcessor, PriorityOrdered, BeanFactoryAware, SmartInitializingSingleton {

	private @Nullable BeanFactory beanFactory;

	private @Nullable SpringCacheInterceptor interceptor;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		BeanFactory factory = this.beanFactory;
		if (factory != null && CacheManagementConfigUtils.CACHE_ADVISOR_BEAN_NAME.equals(beanName)
				&& bean instanceof AbstractBeanFactoryPointcutAdvisor advisor
				&& advisor.getAdvice() instanceof CacheInterceptor spring
				&& spring.getClass() == CacheInterceptor.class) {
			SpringCacheInterceptor fast = new SpringCacheInterceptor(spring, factory);
			this.interceptor = fast;
			advisor.setAdvice(fast);
		}
		return bean;
	}

	/** Once every singleton is created, when Spring's interceptor starts caching too, the fast path starts. */
	@Override
	public void afterSingletonsInstantiated() {
		SpringCacheInterceptor fast = this.interceptor;
		if (fast != null) {
			fast.ready();
		}
	}

	@Override
	public int getOrder() {
		return HIGHEST_PRECEDENCE;
	}

}
