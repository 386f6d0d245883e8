package dev.tiercache.autoconfigure.warming;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.autoconfigure.beans.BeanMethods;
import dev.tiercache.autoconfigure.beans.YieldedElements;

/**
 * One {@link CacheWarmer} found on a bean, checked: the warmer method, and the {@code @CacheAside}
 * method it warms. Immutable.
 */
final class WarmerMethod implements Warmer {

	private final String beanName;

	private final String cache;

	private final Method warmer;

	private final Method cached;

	private WarmerMethod(String beanName, String cache, Method warmer, Method cached) {
		this.beanName = beanName;
		this.cache = cache;
		this.warmer = warmer;
		this.cached = cached;
	}

	/**
	 * Every warmer of the singleton beans of {@code beanFactory}, in the order of their bean definitions.
	 * @throws IllegalStateException naming the warmer and what to fix, for one that does not fit
	 */
	static List<WarmerMethod> findIn(ListableBeanFactory beanFactory) {
		List<WarmerMethod> found = new ArrayList<>();
		BeanMethods.forEachBean(beanFactory, (beanName, userClass) -> {
			if (AnnotationUtils.isCandidateClass(userClass, CacheWarmer.class)) {
				Map<Method, CacheWarmer> warmers = MethodIntrospector.selectMethods(userClass,
						(MethodIntrospector.MetadataLookup<CacheWarmer>) (method) -> AnnotatedElementUtils
							.findMergedAnnotation(method, CacheWarmer.class));
				warmers.forEach((method, annotation) -> found.add(checked(beanName, userClass, method, annotation)));
			}
		});
		return found;
	}

	private static WarmerMethod checked(String beanName, Class<?> userClass, Method warmer, CacheWarmer annotation) {
		String name = userClass.getSimpleName() + "#" + warmer.getName();
		if (warmer.getParameterCount() > 0) {
			throw new IllegalStateException("Tiercache @CacheWarmer " + name + " takes parameters; a warmer takes none "
					+ "and returns the arguments to warm the cache with");
		}
		if (!YieldedElements.readable(warmer)) {
			throw new IllegalStateException("Tiercache @CacheWarmer " + name + " returns "
					+ warmer.getReturnType().getName()
					+ "; a warmer returns an Iterable, a Stream or an array of the cached method's arguments");
		}
		Set<Method> cached = MethodIntrospector.selectMethods(userClass,
				(ReflectionUtils.MethodFilter) (method) -> warms(method, annotation));
		if (cached.size() != 1) {
			throw new IllegalStateException("Tiercache @CacheWarmer " + name + " warms cache '" + annotation.cache()
					+ "', but " + userClass.getName() + " has " + cached.size() + " @CacheAside method(s) of that cache"
					+ (annotation.method().isEmpty() ? "" : " named '" + annotation.method() + "'")
					+ (cached.isEmpty() ? "" : " " + cached.stream().map(Method::toGenericString).toList())
					+ "; a warmer warms a @CacheAside method of its own class, named by 'method' when there are "
					+ "several");
		}
		Method target = cached.iterator().next();
		for (Method method : List.of(warmer, target)) {
			if (!BeanMethods.callableThroughProxy(method)) {
				throw new IllegalStateException("Tiercache @CacheWarmer " + name + " needs " + method.getName()
						+ " public and not final, to be called through the bean's proxy");
			}
		}
		if (KotlinDetector.isSuspendingFunction(target)) {
			throw new IllegalStateException("Tiercache @CacheWarmer " + name + " warms " + target.getName()
					+ ", a Kotlin suspend function, which warming cannot call; warm a plain function of the cache");
		}
		if (target.getParameterCount() == 0) {
			throw new IllegalStateException("Tiercache @CacheWarmer " + name + " warms " + target.getName()
					+ ", which takes no arguments to warm it with");
		}
		return new WarmerMethod(beanName, annotation.cache(), warmer, target);
	}

	private static boolean warms(Method method, CacheWarmer warmer) {
		CacheAside cacheAside = AnnotatedElementUtils.findMergedAnnotation(method, CacheAside.class);
		return cacheAside != null && cacheAside.cache().equals(warmer.cache())
				&& (warmer.method().isEmpty() || warmer.method().equals(method.getName()));
	}

	@Override
	public String beanName() {
		return this.beanName;
	}

	@Override
	public String cache() {
		return this.cache;
	}

	/** {@code Class#method}. */
	@Override
	public String name() {
		return this.warmer.getDeclaringClass().getSimpleName() + "#" + this.warmer.getName();
	}

	/**
	 * Calls the warmer on the bean, and hands each element it yields to {@code elements}, as they come; a
	 * stream it returns, or an iterator (or iterable) that is {@code AutoCloseable}, is closed afterwards.
	 * A primitive array is read as its boxes.
	 * @throws InterruptedException if {@code elements} was interrupted
	 * @throws Throwable what the warmer, or reading what it returned, threw
	 */
	@Override
	public void yieldTo(Object bean, Elements elements) throws Throwable {
		try (YieldedElements yielded = YieldedElements.of(BeanMethods.invoke(bean, this.warmer))) {
			while (yielded.hasNext()) {
				elements.take(yielded.next());
			}
		}
	}

	/**
	 * Calls the cached method on the bean (its proxy: the normal read path) for one element.
	 * @throws IllegalArgumentException if the element does not hold the method's arguments
	 * @throws Throwable what the call threw
	 */
	@Override
	public void warm(Object bean, @Nullable Object element) throws Throwable {
		BeanMethods.awaited(BeanMethods.invoke(bean, this.cached, arguments(element)));
	}

	private @Nullable Object[] arguments(@Nullable Object element) {
		int parameters = this.cached.getParameterCount();
		if (parameters == 1) {
			return new @Nullable Object[] { element };
		}
		if (element instanceof Object[] arguments && arguments.length == parameters) {
			return arguments;
		}
		throw new IllegalArgumentException(this.cached.getName() + " takes " + parameters + " arguments; the warmer "
				+ "yielded " + element + " where an Object[] of " + parameters + " was needed");
	}

}
