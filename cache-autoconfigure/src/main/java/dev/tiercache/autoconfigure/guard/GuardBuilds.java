package dev.tiercache.autoconfigure.guard;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

import dev.tiercache.autoconfigure.beans.BeanMethods;
import dev.tiercache.autoconfigure.beans.YieldedElements;
import dev.tiercache.guard.PenetrationGuard;
import dev.tiercache.guard.PenetrationGuards;
import dev.tiercache.internal.concurrent.DaemonThreads;

/**
 * Builds each guarded cache's filter from its {@link ExistingKeys} source whenever Redis holds none of
 * the guard's shape: once the application is ready, then at every {@code guard.refresh-interval}, in
 * the background (one instance at a time across the application: the others find the lock taken and
 * look again at their next check); and at once when asked ({@link #rebuild}). The sources are found,
 * and checked against the guarded caches, when the singletons are created: a misfit fails start-up.
 * Thread-safe.
 */
public final class GuardBuilds implements SmartInitializingSingleton, ApplicationListener<ApplicationReadyEvent>,
		DisposableBean {

	private static final Log logger = LogFactory.getLog(GuardBuilds.class);

	private final ListableBeanFactory beanFactory;

	private final PenetrationGuards guards;

	private final Map<String, Source> sources = new LinkedHashMap<>();

	private final ScheduledExecutorService checks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-guard-builds"));

	private volatile boolean started;

	public GuardBuilds(ListableBeanFactory beanFactory, PenetrationGuards guards) {
		this.beanFactory = beanFactory;
		this.guards = guards;
	}

	/** A bean method that yields a cache's keys. */
	private record Source(String beanName, Method method) {

		String name() {
			return this.method.getDeclaringClass().getSimpleName() + "#" + this.method.getName();
		}

	}

	/**
	 * Finds the {@link ExistingKeys} methods of the singleton beans.
	 * @throws IllegalStateException naming the method or the cache, and what to fix, if a source takes
	 * parameters, returns something else than keys, is a second source of a cache, or names a cache
	 * without a guard; or if a guarded cache has no source
	 */
	@Override
	public void afterSingletonsInstantiated() {
		BeanMethods.forEachBean(this.beanFactory, (beanName, userClass) -> {
			if (!AnnotationUtils.isCandidateClass(userClass, ExistingKeys.class)) {
				return;
			}
			Map<Method, ExistingKeys> found = MethodIntrospector.selectMethods(userClass,
					(MethodIntrospector.MetadataLookup<ExistingKeys>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, ExistingKeys.class));
			found.forEach((method, annotation) -> add(annotation.cache(), new Source(beanName, method)));
		});
		for (String cache : this.guards.cacheNames()) {
			if (!this.sources.containsKey(cache)) {
				throw new IllegalStateException("Tiercache cache '" + cache + "' has a penetration guard "
						+ "('tiercache.caches." + cache + ".guard.expected-keys') but no source of its keys: "
						+ "annotate a bean method that "
						+ "returns them with @ExistingKeys(cache = \"" + cache + "\")");
			}
		}
	}

	private void add(String cache, Source source) {
		String name = source.name();
		Method method = source.method();
		if (method.getParameterCount() > 0 || !YieldedElements.readable(method)) {
			throw new IllegalStateException("Tiercache @ExistingKeys " + name
					+ " must take no parameters and return an Iterable, a Stream or an array of the cache's keys");
		}
		if (!BeanMethods.callableThroughProxy(method)) {
			throw new IllegalStateException("Tiercache @ExistingKeys " + name + " needs to be public and not final, "
					+ "to be called through the bean's proxy (in its transaction, if it has one)");
		}
		if (this.guards.guard(cache) == null) {
			throw new IllegalStateException("Tiercache @ExistingKeys " + name + " yields the keys of cache '" + cache
					+ "', which has no penetration guard: set 'tiercache.caches." + cache + ".guard.expected-keys'");
		}
		Source other = this.sources.putIfAbsent(cache, source);
		if (other != null) {
			throw new IllegalStateException("Tiercache cache '" + cache + "' has two @ExistingKeys sources, "
					+ other.name() + " and " + name + "; a guard is built from one");
		}
	}

	/** Starts building the filters Redis lacks, in the background, once. */
	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (this.started) {
			return;
		}
		this.started = true;
		this.sources.forEach((cache, source) -> {
			PenetrationGuard guard = this.guards.guard(cache);
			if (guard != null) {
				long interval = guard.settings().refreshInterval().toMillis();
				this.checks.scheduleWithFixedDelay(() -> buildIfMissing(guard, source), 0, interval,
						TimeUnit.MILLISECONDS);
			}
		});
	}

	private void buildIfMissing(PenetrationGuard guard, Source source) {
		try {
			if (!guard.filterInRedis()) {
				build(guard, source);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Tiercache could not build the penetration guard of cache '" + guard.cacheName()
					+ "' (every key is loaded until it is built; tried again in "
					+ guard.settings().refreshInterval().toMillis() + " ms): " + ex, ex);
		}
	}

	/**
	 * Builds the cache's filter anew from its source now, on the calling thread, replacing the one in
	 * Redis (the keys written meanwhile are kept): to drop keys that no longer exist, which a filter
	 * never forgets.
	 * @return how many keys the source yielded, or {@code -1} if another instance is building the filter
	 * @throws IllegalArgumentException if the cache has no guard
	 * @throws IllegalStateException if Redis failed, or with what the source threw
	 */
	public long rebuild(String cache) {
		PenetrationGuard guard = this.guards.guard(cache);
		Source source = this.sources.get(cache);
		if (guard == null || source == null) {
			throw new IllegalArgumentException("Tiercache cache '" + cache
					+ "' has no penetration guard; guarded caches: " + this.guards.cacheNames());
		}
		return build(guard, source);
	}

	private long build(PenetrationGuard guard, Source source) {
		long started = System.nanoTime();
		long added;
		try (YieldedElements keys = YieldedElements
			.of(BeanMethods.invoke(this.beanFactory.getBean(source.beanName()), source.method()))) {
			added = guard.rebuild(keys);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException("@ExistingKeys " + source.name() + " failed: " + ex, ex);
		}
		if (added >= 0) {
			logger.info("Tiercache built the penetration guard of cache '" + guard.cacheName() + "' from "
					+ source.name() + ": " + added + " keys in "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
		}
		return added;
	}

	@Override
	public void destroy() {
		this.checks.shutdownNow();
	}

}
