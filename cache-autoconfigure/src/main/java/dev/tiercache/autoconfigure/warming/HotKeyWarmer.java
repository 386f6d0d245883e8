package dev.tiercache.autoconfigure.warming;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.interceptor.TiercacheOperationSource;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Warms a cache with the keys its running instances report hottest ({@link TieredCache#reportedHotKeys}),
 * through a {@code @CacheAside} method keyed by its one parameter: each key read back as that
 * parameter's type is one call. On a new instance those keys are mostly in Redis, so the calls fill L1
 * from there. Immutable.
 */
final class HotKeyWarmer implements Warmer {

	private final String beanName;

	private final Method cached;

	private final TieredCache cache;

	private final int limit;

	private HotKeyWarmer(String beanName, Method cached, TieredCache cache, int limit) {
		this.beanName = beanName;
		this.cached = cached;
		this.cache = cache;
		this.limit = limit;
	}

	/**
	 * A warmer of up to {@code limit} reported hot keys for each {@code @CacheAside} method of a singleton
	 * bean that is keyed by its one parameter ({@link TiercacheOperationSource#keyedByItsParameter}) and
	 * caches into a cache of {@code manager}.
	 */
	static List<HotKeyWarmer> findIn(ListableBeanFactory beanFactory,
			TiercacheOperationSource operations, TieredCacheManager manager, int limit) {
		List<HotKeyWarmer> found = new ArrayList<>();
		Warmer.forEachBean(beanFactory, (beanName, userClass) -> ReflectionUtils.doWithMethods(userClass, (method) -> {
			CacheAside cacheAside = AnnotatedElementUtils.findMergedAnnotation(method, CacheAside.class);
			TieredCache cache = (cacheAside != null) ? manager.getCache(cacheAside.cache()) : null;
			if (cache != null && operations.keyedByItsParameter(method, cacheAside.key())) {
				found.add(new HotKeyWarmer(beanName, method, cache, limit));
			}
		}, ReflectionUtils.USER_DECLARED_METHODS));
		return found;
	}

	@Override
	public String beanName() {
		return this.beanName;
	}

	@Override
	public String cache() {
		return this.cache.getName();
	}

	/** {@code hot keys of Class#method}. */
	@Override
	public String name() {
		return "hot keys of " + this.cached.getDeclaringClass().getSimpleName() + "#" + this.cached.getName();
	}

	@Override
	public void yieldTo(Object bean, Elements elements) throws InterruptedException {
		for (Object key : this.cache.reportedHotKeys(this.limit, this.cached.getParameterTypes()[0])) {
			elements.take(key);
		}
	}

	@Override
	public void warm(Object bean, @Nullable Object element) throws Throwable {
		Warmer.invoke(bean, this.cached, element);
	}

}
