package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.aop.support.AopUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A {@link CacheResolver} for Spring's own {@code @Cacheable}, {@code @CachePut} and
 * {@code @CacheEvict} on a {@link TieredCacheManager}: it hands Spring's interceptor a view of each
 * {@link TieredCache} bound to the value type of the intercepted method, so values read from Redis
 * decode to that type.
 *
 * <p>The value type is the method's generic return type, resolved against the bean's class (so a
 * generic base repository's {@code T findById(ID)} caches its subclass's entity type), and unwrapped
 * as Spring unwraps it: {@code Optional<T>}, {@code CompletableFuture<T>} and Reactor's
 * {@code Mono<T>} cache a {@code T}; {@code Flux<T>} caches a {@code List<T>}. A return type that
 * cannot be resolved to concrete classes (a type variable the bean does not bind) is refused with an
 * {@link IllegalStateException} naming the method, since its cached values could not be decoded. The
 * type is worked out once per method and bean class. Thread-safe.
 */
public final class TieredCacheResolver implements CacheResolver {

	private final TieredCacheManager cacheManager;

	/** Marks a method whose value type depends on the bean's class. */
	private static final Object TARGET_DEPENDENT = new Object();

	/** Per method: its value type, or {@link #TARGET_DEPENDENT}. */
	private final Map<Method, Object> valueTypes = new ConcurrentHashMap<>();

	private final Map<MethodOnClass, Type> targetDependentValueTypes = new ConcurrentHashMap<>();

	public TieredCacheResolver(TieredCacheManager cacheManager) {
		this.cacheManager = cacheManager;
	}

	/** The manager whose caches this resolves. */
	TieredCacheManager cacheManager() {
		return this.cacheManager;
	}

	/**
	 * @throws IllegalArgumentException naming the operation and the known caches if a cache is unknown
	 * @throws IllegalStateException naming the method if its value type cannot be resolved
	 */
	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		Type valueType = valueType(context.getMethod(), AopUtils.getTargetClass(context.getTarget()));
		Collection<String> names = context.getOperation().getCacheNames();
		List<Cache> caches = new ArrayList<>(names.size());
		for (String name : names) {
			TieredCache cache = this.cacheManager.getCache(name);
			if (cache == null) {
				throw new IllegalArgumentException("Cannot find cache named '" + name + "' for " + context.getOperation()
						+ "; known caches are " + this.cacheManager.getCacheNames()
						+ ". Declare it under 'tiercache.cache-names' or 'tiercache.caches." + name
						+ ".*', or set 'tiercache.dynamic=true'");
			}
			caches.add(cache.withValueType(valueType));
		}
		return caches;
	}

	private Type valueType(Method method, Class<?> targetClass) {
		Object known = this.valueTypes.get(method);
		if (known == null) {
			known = ValueTypes.containsTypeVariable(method.getGenericReturnType()) ? TARGET_DEPENDENT
					: ValueTypes.springValueType(method, method.getDeclaringClass());
			this.valueTypes.put(method, known);
		}
		if (known instanceof Type type) {
			return type;
		}
		return this.targetDependentValueTypes.computeIfAbsent(new MethodOnClass(method, targetClass),
				(key) -> ValueTypes.springValueType(method, targetClass));
	}

	private record MethodOnClass(Method method, Class<?> targetClass) {
	}

}
