package dev.tiercache.interceptor;

import java.lang.reflect.Method;

import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.context.aot.AbstractAotProcessor;

import dev.tiercache.annotation.CacheAside;

/**
 * The AOP advisor that applies {@link TiercacheInterceptor} to methods carrying {@link CacheAside} or
 * a write annotation.
 * Matching a method parses its annotation, so a misconfigured annotation fails when its bean is
 * created, at start-up. Register it as an infrastructure bean; any auto-proxy creator picks it up.
 */
public final class TiercacheAdvisor extends AbstractPointcutAdvisor {

	private final TiercacheInterceptor interceptor;

	private final Pointcut pointcut;

	public TiercacheAdvisor(TiercacheOperationSource operations) {
		this.interceptor = new TiercacheInterceptor(operations);
		this.pointcut = new StaticMethodMatcherPointcut() {

			/**
			 * Parses the method's annotation when the proxy is made, so that one that cannot work fails
			 * start-up; not while the application is processed ahead of time (when Spring matches
			 * pointcuts to choose proxy classes), since parsing resolves the caches, which would create
			 * the cache manager and connect to Redis in the build.
			 */
			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return operations.isAnnotated(method, targetClass)
						&& (Boolean.getBoolean(AbstractAotProcessor.AOT_PROCESSING)
								|| operations.getOperation(method, targetClass) != null);
			}

		};
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
