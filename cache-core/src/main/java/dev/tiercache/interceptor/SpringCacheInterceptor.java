package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheEvictOperation;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.cache.interceptor.SimpleCacheResolver;
import org.springframework.cache.interceptor.SimpleKeyGenerator;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Spring's cache interceptor with a fast path: a method whose only cache operation is one
 * {@code @Cacheable}, {@code @CachePut} or {@code @CacheEvict} on one {@link TieredCache} runs as a
 * {@link SpringOperation}, parsed once per method and bean class, with Spring's semantics; every other
 * method (several operations, as {@code @Caching} declares, several caches, a {@code cacheResolver}, a
 * {@code cacheManager} that is not a {@link TieredCacheManager}, an interceptor whose resolver is not
 * {@link TieredCacheResolver} or a {@link SimpleCacheResolver} over one, a future or reactive result, a
 * {@code void} method that would cache its result) goes to Spring's interceptor, configured as the
 * application configured it. {@link SpringCacheFastPath} puts it in
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

	/** Set once every singleton is created; until then Spring's interceptor runs every call, as it caches none. */
	private volatile boolean ready;

	/**
	 * @param spring Spring's interceptor, which runs what this does not, and whose operation source, key
	 * generator, cache resolver and error handler this uses
	 * @param beanFactory where {@code keyGenerator}, {@code cacheManager} and {@code @bean} names resolve
	 */
	public SpringCacheInterceptor(CacheInterceptor spring, BeanFactory beanFactory) {
		this.spring = spring;
		this.beanFactory = beanFactory;
	}

	/** Takes the fast path from now on: call once every singleton is created. */
	public void ready() {
		this.ready = true;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Object operation = (target != null) ? operation(invocation.getMethod(), target) : SPRING;
		if (operation instanceof SpringCacheableOperation cacheable) {
			return cacheable.invoke(invocation);
		}
		return (operation instanceof SpringOperation other) ? other.invoke(invocation) : this.spring.invoke(invocation);
	}

	private Object operation(Method method, Object target) {
		Class<?> targetClass = target.getClass();
		Resolved first = this.firstResolved.get(method);
		if (first != null && first.targetClass() == targetClass) {
			return first.operation();
		}
		MethodClassKey key = new MethodClassKey(method, targetClass);
		Object operation = this.perClass.get(key);
		if (operation == null) {
			Object parsed = parse(method, AopProxyUtils.ultimateTargetClass(target));
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
	 * The fast operation of a method on a bean of {@code targetClass} (behind any proxy of its own), as
	 * Spring's interceptor sees it; {@link #SPRING} if Spring's interceptor handles it, or {@code null} if
	 * that cannot be told yet (before every singleton is created, Spring's interceptor does not cache).
	 */
	private @Nullable Object parse(Method invoked, Class<?> targetClass) {
		if (!this.ready) {
			return null;
		}
		CacheOperationSource source = this.spring.getCacheOperationSource();
		Collection<CacheOperation> operations = (source != null) ? source.getCacheOperations(invoked, targetClass)
				: null;
		if (operations == null || operations.size() != 1) {
			return SPRING;
		}
		CacheOperation operation = operations.iterator().next();
		if (!fitsTheFastPath(operation, invoked)) {
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
		Method method = BridgeMethodResolver.findBridgedMethod(invoked);
		Method targetMethod = Proxy.isProxyClass(targetClass) ? method
				: AopUtils.getMostSpecificMethod(method, userClass);
		SpringExpression key = expression(operation.getKey(), method, targetMethod);
		KeyGenerator keyGenerator = keyGenerator(operation);
		SpringExpression condition = expression(operation.getCondition(), method, targetMethod);
		CacheErrorHandler errorHandler = this.spring.getErrorHandler();
		if (operation instanceof CacheEvictOperation evict) {
			return new SpringCacheEvictOperation(evict, method, userClass, tiered, key, keyGenerator, condition,
					errorHandler);
		}
		Type valueType = valueType(method, userClass);
		if (valueType == null) {
			return SPRING;
		}
		if (operation instanceof CacheableOperation cacheable) {
			return new SpringCacheableOperation(cacheable, method, userClass, tiered, valueType, key, keyGenerator,
					condition, expression(cacheable.getUnless(), method, targetMethod), errorHandler);
		}
		CachePutOperation put = (CachePutOperation) operation;
		return new SpringCachePutOperation(put, method, userClass, tiered, valueType, key, keyGenerator, condition,
				expression(put.getUnless(), method, targetMethod), errorHandler);
	}

	/**
	 * Whether Spring's interceptor would run the operation as the fast path does: one of the three
	 * operations, on one cache named as written, no {@code cacheResolver}, and not what Spring handles
	 * otherwise: varargs (whose array Spring spreads), a future or reactive result (or a result declared
	 * {@code Object}, which Spring checks at run time), a suspending Kotlin function, a {@code void} method
	 * that would cache its result, {@code sync} with {@code unless} (which Spring refuses).
	 */
	private static boolean fitsTheFastPath(CacheOperation operation, Method method) {
		Class<?> returnType = method.getReturnType();
		if (operation.getCacheNames().size() != 1 || StringUtils.hasText(operation.getCacheResolver())
				|| method.isVarArgs() || isAsynchronous(returnType) || KotlinDetector.isSuspendingFunction(method)) {
			return false;
		}
		if (operation instanceof CacheEvictOperation) {
			return returnType != Object.class;
		}
		if (returnType == void.class || returnType == Object.class) {
			return false;
		}
		return (operation instanceof CacheableOperation cacheable)
				? !(cacheable.isSync() && StringUtils.hasText(cacheable.getUnless()))
				: operation instanceof CachePutOperation;
	}

	private static boolean isAsynchronous(Class<?> returnType) {
		return ValueTypes.isAsynchronous(returnType) || CompletionStage.class.isAssignableFrom(returnType)
				|| ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType) != null;
	}

	/** The type values of the method decode to, or {@code null} if the bean's class leaves it unresolved. */
	private static @Nullable Type valueType(Method method, Class<?> userClass) {
		try {
			return ValueTypes.springValueType(method, userClass);
		}
		catch (IllegalStateException ex) {
			return null;
		}
	}

	/**
	 * The manager the operation's caches come from, if it is a {@link TieredCacheManager} whose caches
	 * Spring resolves by name.
	 */
	private @Nullable TieredCacheManager tieredCacheManager(CacheOperation operation) {
		if (StringUtils.hasText(operation.getCacheManager())) {
			return (BeanFactoryAnnotationUtils.qualifiedBeanOfType(this.beanFactory, CacheManager.class,
					operation.getCacheManager()) instanceof TieredCacheManager tiered) ? tiered : null;
		}
		CacheResolver resolver = this.spring.getCacheResolver();
		if (resolver instanceof TieredCacheResolver tiered) {
			return tiered.cacheManager();
		}
		return (resolver != null && resolver.getClass() == SimpleCacheResolver.class
				&& ((SimpleCacheResolver) resolver).getCacheManager() instanceof TieredCacheManager tiered) ? tiered
						: null;
	}

	/** The generator of keys without SpEL; {@code null} for Spring's default, whose rule is inlined. */
	private @Nullable KeyGenerator keyGenerator(CacheOperation operation) {
		KeyGenerator generator = StringUtils.hasText(operation.getKeyGenerator())
				? BeanFactoryAnnotationUtils.qualifiedBeanOfType(this.beanFactory, KeyGenerator.class,
						operation.getKeyGenerator())
				: this.spring.getKeyGenerator();
		return (generator.getClass() == SimpleKeyGenerator.class) ? null : generator;
	}

	private @Nullable SpringExpression expression(String text, Method method, Method targetMethod) {
		return StringUtils.hasText(text) ? new SpringExpression(text, method, targetMethod, this.parameterNames,
				new BeanFactoryResolver(this.beanFactory)) : null;
	}

	private record Resolved(Class<?> targetClass, Object operation) {
	}

}
