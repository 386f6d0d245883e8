package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.util.ClassUtils;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A {@link CacheResolver} for Spring's own {@code @Cacheable}, {@code @CachePut} and
 * {@code @CacheEvict} on a {@link TieredCacheManager}: it hands Spring's interceptor a view of each
 * {@link TieredCache} bound to the intercepted method's generic return type ({@code Optional} and
 * {@code CompletableFuture} unwrapped, as Spring unwraps them), so values read from Redis decode to
 * that type. Thread-safe; the type is worked out once per method.
 */
public final class TieredCacheResolver implements CacheResolver {

	private final TieredCacheManager cacheManager;

	private final Map<Method, Type> valueTypes = new ConcurrentHashMap<>();

	public TieredCacheResolver(TieredCacheManager cacheManager) {
		this.cacheManager = cacheManager;
	}

	/**
	 * @throws IllegalArgumentException naming the operation and the known caches if a cache is unknown
	 */
	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		Type valueType = this.valueTypes.computeIfAbsent(context.getMethod(), TieredCacheResolver::valueType);
		Collection<String> names = context.getOperation().getCacheNames();
		List<Cache> caches = new ArrayList<>(names.size());
		for (String name : names) {
			TieredCache cache = this.cacheManager.getCache(name);
			if (cache == null) {
				throw new IllegalArgumentException("Cannot find cache named '" + name + "' for " + context.getOperation()
						+ "; known caches are " + this.cacheManager.getCacheNames()
						+ ". Declare it under 'tiercache.cache-names' or 'tiercache.caches." + name + ".*'");
			}
			caches.add(cache.withValueType(valueType));
		}
		return caches;
	}

	private static Type valueType(Method method) {
		Type type = method.getGenericReturnType();
		Class<?> raw = method.getReturnType();
		if ((raw == Optional.class || raw == CompletableFuture.class) && type instanceof ParameterizedType parameterized) {
			return parameterized.getActualTypeArguments()[0];
		}
		if (raw == Optional.class || raw == CompletableFuture.class || raw == void.class) {
			return Object.class;
		}
		return raw.isPrimitive() ? ClassUtils.resolvePrimitiveIfNecessary(raw) : type;
	}

}
