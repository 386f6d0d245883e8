package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.springframework.core.ResolvableType;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Spring's cache interceptor with a fast path: a method whose cache operations ({@code @Cacheable},
 * {@code @CachePut}, {@code @CacheEvict}, alone or several, as {@code @Caching} declares them) are all on
 * {@link TieredCache}s runs as a {@link SpringFastOperation}, parsed once per method and bean class, with
 * Spring's semantics: one operation on one cache as {@link SpringCacheableOperation},
 * {@link SpringCachePutOperation} or {@link SpringCacheEvictOperation}, anything else as
 * {@link SpringCachingOperation}. Every other method (a {@code cacheResolver}, a {@code cacheManager} that
 * is not a {@link TieredCacheManager}, an interceptor whose resolver is not {@link TieredCacheResolver} or
 * a {@link SimpleCacheResolver} over one, a future or reactive result, a {@code void} method that would
 * cache its result, {@code sync} beside other operations or caches) goes to Spring's interceptor,
 * configured as the application configured it. {@link SpringCacheFastPath} puts it in place.
 * Thread-safe.
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

	/**
	 * Whether calls of a method on a bean take the fast path, rather than Spring's interceptor: for
	 * diagnostics and tests.
	 * @param target the bean behind Spring's proxy, as the interceptor sees it
	 */
	public boolean takesTheFastPath(Method method, Object target) {
		return operation(method, target) instanceof SpringFastOperation;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Object operation = (target != null) ? operation(invocation.getMethod(), target) : SPRING;
		if (operation instanceof SpringCacheableOperation cacheable) {
			return cacheable.invoke(invocation);
		}
		return (operation instanceof SpringFastOperation other) ? other.invoke(invocation)
				: this.spring.invoke(invocation);
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
		if (operations == null || operations.isEmpty() || !fitsTheFastPath(operations, invoked)) {
			return SPRING;
		}
		List<List<TieredCache>> caches = new ArrayList<>();
		for (CacheOperation operation : operations) {
			if (!StringUtils.hasText(operation.getCacheManager()) && this.spring.getCacheResolver() == null) {
				return null;
			}
			List<TieredCache> tiered = tieredCaches(operation);
			if (tiered == null) {
				return SPRING;
			}
			caches.add(tiered);
		}
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		Method method = BridgeMethodResolver.findBridgedMethod(invoked);
		Method targetMethod = Proxy.isProxyClass(targetClass) ? method
				: AopUtils.getMostSpecificMethod(method, userClass);
		boolean evictsOnly = operations.stream().allMatch(CacheEvictOperation.class::isInstance);
		@Nullable Type valueType = evictsOnly ? null : valueType(method, userClass);
		if (!evictsOnly && valueType == null) {
			return SPRING;
		}
		Parsed parsed = new Parsed(method, targetMethod, userClass, valueType);
		if (operations.size() == 1 && caches.get(0).size() == 1) {
			return single(operations.iterator().next(), caches.get(0).get(0), parsed);
		}
		List<SpringCachingOperation.Step> steps = new ArrayList<>();
		for (CacheOperation operation : operations) {
			steps.add(step(steps.size(), operation, caches.get(steps.size()), parsed));
		}
		return new SpringCachingOperation(steps, method, this.spring.getErrorHandler());
	}

	/** The operation of a method whose only operation is on one cache. */
	private SpringFastOperation single(CacheOperation operation, TieredCache cache, Parsed parsed) {
		SpringExpression key = expression(operation.getKey(), parsed);
		KeyGenerator keyGenerator = keyGenerator(operation);
		SpringExpression condition = expression(operation.getCondition(), parsed);
		CacheErrorHandler errorHandler = this.spring.getErrorHandler();
		Type valueType = parsed.valueType();
		if (operation instanceof CacheEvictOperation evict) {
			return new SpringCacheEvictOperation(evict, parsed.method(), parsed.userClass(), cache, key, keyGenerator,
					condition, errorHandler);
		}
		Assert.state(valueType != null, "A value type is parsed for a put");
		if (operation instanceof CacheableOperation cacheable) {
			return new SpringCacheableOperation(cacheable, parsed.method(), parsed.userClass(), cache, valueType, key,
					keyGenerator, condition, expression(cacheable.getUnless(), parsed), errorHandler);
		}
		CachePutOperation put = (CachePutOperation) operation;
		return new SpringCachePutOperation(put, parsed.method(), parsed.userClass(), cache, valueType, key,
				keyGenerator, condition, expression(put.getUnless(), parsed), errorHandler);
	}

	/** One of the operations of a method with several, or with several caches. */
	private SpringCachingOperation.Step step(int index, CacheOperation operation, List<TieredCache> caches,
			Parsed parsed) {
		String unless = (operation instanceof CacheableOperation cacheable) ? cacheable.getUnless()
				: (operation instanceof CachePutOperation put) ? put.getUnless() : "";
		Type valueType = (operation instanceof CacheEvictOperation) ? null : parsed.valueType();
		return new SpringCachingOperation.Step(index, operation, parsed.method(), parsed.userClass(), caches,
				valueType, expression(operation.getKey(), parsed), keyGenerator(operation),
				expression(operation.getCondition(), parsed), expression(unless, parsed),
				this.spring.getErrorHandler());
	}

	/**
	 * Whether Spring's interceptor would run the operations as the fast path does: each one of the
	 * three operations, on caches named as written, no {@code cacheResolver}, and not what Spring handles
	 * otherwise: varargs (whose array Spring spreads), a future or reactive result (or a result declared
	 * {@code Object}, which Spring checks at run time), a suspending Kotlin function, a {@code void} method
	 * that would cache its result, an {@code Optional} of an {@code Optional} (which Spring refuses), {@code sync}
	 * (which Spring allows only alone on one cache, without {@code unless}, and which the fast path takes only
	 * so).
	 */
	private static boolean fitsTheFastPath(Collection<CacheOperation> operations, Method method) {
		Class<?> returnType = method.getReturnType();
		if (method.isVarArgs() || isAsynchronous(returnType) || KotlinDetector.isSuspendingFunction(method)
				|| returnType == Object.class || isNestedOptional(method)) {
			return false;
		}
		for (CacheOperation operation : operations) {
			if (operation.getCacheNames().isEmpty() || StringUtils.hasText(operation.getCacheResolver())) {
				return false;
			}
			boolean fits = (operation instanceof CacheEvictOperation)
					|| (returnType != void.class && ((operation instanceof CachePutOperation)
							|| (operation instanceof CacheableOperation cacheable && (!cacheable.isSync()
									|| (operations.size() == 1 && cacheable.getCacheNames().size() == 1
											&& !StringUtils.hasText(cacheable.getUnless()))))));
			if (!fits) {
				return false;
			}
		}
		return true;
	}

	/** Whether the method returns an {@code Optional} of an {@code Optional}, which Spring refuses at run time. */
	private static boolean isNestedOptional(Method method) {
		return method.getReturnType() == Optional.class
				&& ResolvableType.forMethodReturnType(method).getGeneric(0).resolve() == Optional.class;
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
	 * The operation's caches, in the order it names them, if they come from a {@link TieredCacheManager}
	 * that Spring resolves them by name from; {@code null} otherwise, or if one is unknown (Spring's
	 * interceptor then says so).
	 */
	private @Nullable List<TieredCache> tieredCaches(CacheOperation operation) {
		TieredCacheManager manager = tieredCacheManager(operation);
		if (manager == null) {
			return null;
		}
		List<TieredCache> caches = new ArrayList<>();
		for (String name : operation.getCacheNames()) {
			TieredCache cache = manager.getCache(name);
			if (cache == null) {
				return null;
			}
			caches.add(cache);
		}
		return caches;
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

	private @Nullable SpringExpression expression(String text, Parsed parsed) {
		return StringUtils.hasText(text) ? new SpringExpression(text, parsed.method(), parsed.targetMethod(),
				this.parameterNames, new BeanFactoryResolver(this.beanFactory)) : null;
	}

	private record Resolved(Class<?> targetClass, Object operation) {
	}

	/**
	 * What parsing found of a method and the bean's class, for its operations.
	 * @param method the method, bridged
	 * @param targetMethod the bean class's own method, whose parameter names SpEL sees
	 * @param userClass the bean's class, without a CGLIB proxy
	 * @param valueType the type its values are read and written as; {@code null} if it only evicts
	 */
	private record Parsed(Method method, Method targetMethod, Class<?> userClass, @Nullable Type valueType) {
	}

}
