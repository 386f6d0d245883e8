package dev.tiercache.interceptor;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotationUtils;

import dev.tiercache.annotation.WriteBehind;

/**
 * Registers every {@link WriteBehind} method with its queue as its bean is created, before the queues
 * start flushing, so that entries queued by other instances (or left by one that died) can be
 * applied before this instance makes a call of its own. Parsing errors fail start-up. Thread-safe.
 */
public final class WriteBehindRegistrar implements BeanPostProcessor, BeanFactoryAware {

	private final TiercacheOperationSource operations;

	private @Nullable BeanFactory beanFactory;

	public WriteBehindRegistrar(TiercacheOperationSource operations) {
		this.operations = operations;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> type = AopProxyUtils.ultimateTargetClass(bean);
		if (AnnotationUtils.isCandidateClass(type, WriteBehind.class)) {
			for (WriteBehindOperation operation : this.operations.writeBehindOperations(type)) {
				operation.bind(beanName, Objects.requireNonNull(this.beanFactory, "no BeanFactory set"));
			}
		}
		return bean;
	}

}
