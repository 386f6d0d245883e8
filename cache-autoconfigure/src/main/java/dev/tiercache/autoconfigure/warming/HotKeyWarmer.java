package dev.tiercache.autoconfigure.warming;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.autoconfigure.beans.BeanMethods;
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

	private final Class<?> keyType;

	private final TieredCache cache;

	private final int limit;

	private HotKeyWarmer(String beanName, Method cached, Class<?> keyType, TieredCache cache, int limit) {
		this.beanName = beanName;
		this.cached = cached;
		this.keyType = keyType;
		this.cache = cache;
		this.limit = limit;
	}

	/**
	 * A warmer of up to {@code limit} reported hot keys for each cache of {@code manager} into which exactly
	 * one {@code @CacheAside} method of the singleton beans caches, that method being public, not a batch
	 * read, and keyed by its one parameter ({@link TiercacheOperationSource#keyedByItsParameter}): a cache
	 * that several methods fill may hold keys of one that would mean something else to another.
	 */
	static List<HotKeyWarmer> findIn(ListableBeanFactory beanFactory, TiercacheOperationSource operations,
			TieredCacheManager manager, int limit) {
		Map<String, List<Candidate>> byCache = new LinkedHashMap<>();
		BeanMethods.forEachBean(beanFactory, (beanName, userClass) -> {
			if (!AnnotationUtils.isCandidateClass(userClass, CacheAside.class)) {
				return;
			}
			Map<Method, CacheAside> cached = MethodIntrospector.selectMethods(userClass,
					(MethodIntrospector.MetadataLookup<CacheAside>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, CacheAside.class));
			cached.forEach((method, annotation) -> byCache
				.computeIfAbsent(annotation.cache(), (name) -> new ArrayList<>())
				.add(new Candidate(beanName, userClass, method, annotation)));
		});
		List<HotKeyWarmer> found = new ArrayList<>();
		byCache.forEach((cacheName, candidates) -> {
			Candidate only = (candidates.size() == 1) ? candidates.get(0) : null;
			TieredCache cache = (only != null && only.warmable(operations)) ? manager.getCache(cacheName) : null;
			if (only != null && cache != null) {
				Class<?> keyType = ResolvableType.forMethodParameter(only.method(), 0, only.userClass())
					.resolve(Object.class);
				found.add(new HotKeyWarmer(only.beanName(), only.method(), keyType, cache, limit));
			}
		});
		return found;
	}

	/** A {@code @CacheAside} method of a bean. */
	private record Candidate(String beanName, Class<?> userClass, Method method, CacheAside annotation) {

		boolean warmable(TiercacheOperationSource operations) {
			return !this.annotation.batch() && BeanMethods.callableThroughProxy(this.method)
					&& !KotlinDetector.isSuspendingFunction(this.method)
					&& operations.keyedByItsParameter(this.method, this.annotation.key());
		}

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
		for (Object key : this.cache.reportedHotKeys(this.limit, this.keyType)) {
			elements.take(key);
		}
	}

	@Override
	public void warm(Object bean, @Nullable Object element) throws Throwable {
		BeanMethods.awaited(BeanMethods.invoke(bean, this.cached, element));
	}

}
