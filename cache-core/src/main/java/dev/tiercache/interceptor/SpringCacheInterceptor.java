package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.SimpleCacheResolver;
import org.springframework.cache.interceptor.SimpleKeyGenerator;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Spring's cache interceptor with a fast path: a method whose only cache operation is one
 * {@code @Cacheable} on one {@link TieredCache} runs as a {@link SpringCacheableOperation}, parsed once
 * per method and bean class, with Spring's semantics; every other method (other or several
 * operations, several caches, a {@code cacheResolver}, a {@code cacheManager} that is not a
 * {@link TieredCacheManager}, an interceptor whose resolver is not {@link TieredCacheResolver} or a
 * {@link SimpleCacheResolver} over one, a future, reactive or {@code void} result) goes to Spring's
 * interceptor, configured as the application configured it. {@link SpringCacheFastPath} puts it in
 * place. Thread-safe.
 */
public final class SpringCacheInterceptor implements MethodInterceptor {

	/** Marks a method that Spring's interceptor handles. */
	private static final Object SPRING = new Object();

	private final CacheInterceptor spring;

	private final BeanFactory beanFactory;

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Map<Method, Resolved> firstResolved = new ConcurrentHashMap<>();

	private final Map<MethodClassKey, Object> perClass = new ConcurrentHashMap<>();

	/**
	 * @param spring Spring's interceptor, which runs what this does not, and whose operation source, key
	 * generator, cache resolver and error handler this uses
	 * @param beanFactory where {@code keyGenerator}, {@code cacheManager} and {@code @bean} names resolve
	 */
	public SpringCacheInterceptor(CacheInterceptor spring, BeanFactory beanFactory) {
		this.spring = spring;
		this.beanFactory = beanFactory;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Object operation = (target != null) ? operation(invocation.getMethod(), target.getClass()) : SPRING;
		return (operation instanceof SpringCacheableOperation cacheable) ? cacheable.invoke(invocation)
				: this.spring.invoke(invocation);
	}

	private Object operation(Method method, Class<?> targetClass) {
		Resolved first = this.firstResolved.get(method);
		if (first != null && first.targetClass() == targetClass) {
			return first.operation();
		}
		MethodClassKey key = new MethodClassKey(method, targetClass);
		Object operation = this.perClass.get(key);
		if (operation == null) {
			Object parsed = parse(method, targetClass);
			if (parsed == null) {
				return SPRING;
			}
			operation = parsed;
			this.perClass.put(key, operation);
			this.firstResolved.putIfAbsent(method, new Resolved(targetClass, operation));
		}
		return operation;
	}

	/**
	 * The fast operation of a method, {@link #SPRING} if Spring's interceptor handles it, or {@code null}
	 * if that cannot be told yet (Spring's interceptor has not resolved its default cache manager).
	 */
	private @Nullable Object parse(Method method, Class<?> targetClass) {
		CacheOperationSource source = this.spring.getCacheOperationSource();
		Collection<CacheOperation> operations = (source != null) ? source.getCacheOperations(method, targetClass)
				: null;
		if (operations == null || operations.size() != 1
				|| !(operations.iterator().next() instanceof CacheableOperation operation)
				|| operation.getCacheNames().size() != 1 || StringUtils.hasText(operation.getCacheResolver())
				|| method.getReturnType() == void.class || ValueTypes.isAsynchronous(method.getReturnType())) {
			return SPRING;
		}
		if (!StringUtils.hasText(operation.getCacheManager()) && this.spring.getCacheResolver() == null) {
			return null;
		}
		TieredCacheManager manager = tieredCacheManager(operation);
		Cache cache = (manager != null) ? manager.getCache(operation.getCacheNames().iterator().next()) : null;
		if (!(cache instanceof TieredCache tiered)) {
			return SPRING;
		}
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		return new SpringCacheableOperation(operation, method, userClass, tiered,
				ValueTypes.springValueType(method, userClass), expression(operation.getKey(), method),
				keyGenerator(operation), expression(operation.getCondition(), method),
				expression(operation.getUnless(), method), errorHandler());
	}

	/** The manager the operation's caches come from, if it is a {@link TieredCacheManager} whose caches Spring resolves by name. */
	private @Nullable TieredCacheManager tieredCacheManager(CacheableOperation operation) {
		if (StringUtils.hasText(operation.getCacheManager())) {
			return (this.beanFactory.getBean(operation.getCacheManager(),
					CacheManager.class) instanceof TieredCacheManager tiered) ? tiered : null;
		}
		CacheResolver resolver = this.spring.getCacheResolver();
		if (resolver instanceof TieredCacheResolver tiered) {
			return tiered.cacheManager();
		}
		return (resolver instanceof SimpleCacheResolver simple
				&& simple.getCacheManager() instanceof TieredCacheManager tiered) ? tiered : null;
	}

	/** The generator of keys without SpEL; {@code null} for Spring's default, whose rule is inlined. */
	private @Nullable KeyGenerator keyGenerator(CacheableOperation operation) {
		KeyGenerator generator = StringUtils.hasText(operation.getKeyGenerator())
				? this.beanFactory.getBean(operation.getKeyGenerator(), KeyGenerator.class)
				: this.spring.getKeyGenerator();
		return (generator.getClass() == SimpleKeyGenerator.class) ? null : generator;
	}

	private CacheErrorHandler errorHandler() {
		return this.spring.getErrorHandler();
	}

	private @Nullable SpringExpression expression(String text, Method method) {
		return StringUtils.hasText(text)
				? new SpringExpression(text, method, this.parameterNames, new BeanFactoryResolver(this.beanFactory))
				: null;
	}

	private record Resolved(Class<?> targetClass, Object operation) {
	}

}
