package dev.tiercache.autoconfigure.guard;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tiercache.autoconfigure.beans.BeanMethods;
import dev.tiercache.autoconfigure.beans.YieldedElements;
import dev.tiercache.guard.PenetrationGuard;
import dev.tiercache.guard.PenetrationGuards;
import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.concurrent.RateLimit;

/**
 * Builds each guarded cache's filter from its {@link ExistingKeys} source whenever Redis holds none:
 * once the application is ready, then at every {@code guard.refresh-interval}, in the background (one
 * instance at a time across the application: the others find the lock taken and look again at their
 * next check); and at once when asked ({@link #rebuild}), which also replaces a filter of another size.
 * The sources are found, and checked against the guarded caches, when the singletons are created: a
 * misfit fails start-up. The checks stop when the application stops. Thread-safe.
 */
public final class GuardBuilds implements SmartInitializingSingleton, ApplicationListener<ApplicationReadyEvent>,
		SmartLifecycle, DisposableBean {

	private static final Log logger = LogFactory.getLog(GuardBuilds.class);

	private final ListableBeanFactory beanFactory;

	private final PenetrationGuards guards;

	private final Map<String, Source> sources = new LinkedHashMap<>();

	private final ScheduledExecutorService checks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-guard-builds"));

	private final ObjectProvider<PlatformTransactionManager> transactionManager;

	private final RateLimit failureWarnings = new RateLimit(Duration.ofMinutes(1));

	private final RateLimit shapeWarnings = new RateLimit(Duration.ofMinutes(10));

	private volatile boolean started;

	private volatile boolean running;

	/**
	 * @param transactionManager where the sources are read in a read-only transaction, if the application
	 * has one
	 */
	public GuardBuilds(ListableBeanFactory beanFactory, PenetrationGuards guards,
			ObjectProvider<PlatformTransactionManager> transactionManager) {
		this.beanFactory = beanFactory;
		this.guards = guards;
		this.transactionManager = transactionManager;
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
				this.checks.scheduleWithFixedDelay(Periodic.surviving(() -> buildIfMissing(guard, source), logger,
						"build the penetration guard of cache '" + cache + "'"), 0, interval, TimeUnit.MILLISECONDS);
			}
		});
	}

	private void buildIfMissing(PenetrationGuard guard, Source source) {
		if (guard.built()) {
			return;
		}
		long started = System.nanoTime();
		long added;
		try {
			added = inTransaction(() -> guard.buildIfMissing(keysOf(source)));
		}
		catch (RuntimeException ex) {
			if (this.failureWarnings.allow()) {
				logger.warn("Tiercache could not build the penetration guard of cache '" + guard.cacheName()
						+ "' (every key is read until it is built; tried again every "
						+ guard.settings().refreshInterval().toMillis() + " ms): " + ex, ex);
			}
			return;
		}
		if (added >= 0) {
			logBuilt(guard, source, added, started);
			return;
		}
		guard.refresh();
		if (added == PenetrationGuard.PRESENT && !guard.built() && this.shapeWarnings.allow()) {
			logger.warn("Tiercache's penetration guard of cache '" + guard.cacheName() + "' finds a filter in Redis "
					+ "of another size (built by instances with other 'guard.expected-keys' or "
					+ "'guard.false-positive-rate'), so this instance refuses no key: give every instance the same "
					+ "settings, then rebuild the guard (GuardBuilds.rebuild)");
		}
	}

	/**
	 * Builds the cache's filter anew from its source now, on the calling thread, replacing the one in
	 * Redis whatever its size (the keys written meanwhile are kept): to drop keys that no longer exist,
	 * which a filter never forgets, or to take new guard settings. The source is called through its bean's
	 * proxy, in a read-only transaction if the application has a transaction manager (a streamed query
	 * needs one while it is read).
	 * @return how many keys the source yielded, or {@link PenetrationGuard#BUSY} if another instance is
	 * building the filter
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
		long started = System.nanoTime();
		long added = inTransaction(() -> guard.rebuild(keysOf(source)));
		if (added >= 0) {
			logBuilt(guard, source, added, started);
		}
		return added;
	}

	private PenetrationGuard.KeySource keysOf(Source source) {
		return () -> YieldedElements.of(BeanMethods.invoke(this.beanFactory.getBean(source.beanName()),
				source.method()));
	}

	private long inTransaction(LongSupplier build) {
		PlatformTransactionManager transactions = this.transactionManager.getIfUnique();
		if (transactions == null) {
			return build.getAsLong();
		}
		TransactionTemplate readOnly = new TransactionTemplate(transactions);
		readOnly.setReadOnly(true);
		Long added = readOnly.execute((status) -> build.getAsLong());
		return (added != null) ? added : PenetrationGuard.BUSY;
	}

	private static void logBuilt(PenetrationGuard guard, Source source, long added, long started) {
		logger.info("Tiercache built the penetration guard of cache '" + guard.cacheName() + "' from "
				+ source.name() + ": " + added + " keys in "
				+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
	}

	/** Stops the checks before the cache manager closes Redis. */
	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.checks.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public void destroy() {
		this.checks.shutdownNow();
	}

}
