package dev.tiercache.tracing;

import java.time.Duration;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.RateLimit;

/**
 * Reports a cache's loads, calls to Redis and write-behind flushes as Micrometer {@link Observation}s
 * ({@code tiercache.load}, {@code tiercache.redis}, {@code tiercache.writebehind.flush}), so that a
 * tracing bridge turns them into spans and a meter handler into timers. Each carries only low-cardinality
 * key values: {@code cache} (its name), {@code tier} ({@code loader}, {@code redis} or
 * {@code backing-store}), for a call to Redis its {@code operation} ({@link CacheTracer.Work#operation()}),
 * and {@code result} ({@code success}, {@code failure} with the exception recorded, or, for a flush that
 * left entries for later, {@code incomplete}). A call to Redis whose failure the cache handles (a read
 * that counts as a miss, say) is still a {@code failure}. The observation is current on the calling
 * thread while the work runs, so the loader's own observations (a JDBC call, say) nest under it. With a
 * no-op registry nothing is created.
 *
 * <p>Tracing never fails the work: if a handler throws while the observation starts, the work runs
 * untraced; if one throws once the work is done, the work's own result or exception stands. Either way
 * the failure is logged (at most every 30 s) and the thread's current observation is put back as it
 * was. Thread-safe.
 */
public final class ObservationCacheTracer implements CacheTracer {

	private static final Log logger = LogFactory.getLog(ObservationCacheTracer.class);

	private final ObservationRegistry registry;

	private final RateLimit failureLog = new RateLimit(Duration.ofSeconds(30));

	public ObservationCacheTracer(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public <T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName, Step<T, E> step)
			throws E {
		if (this.registry.isNoop()) {
			return step.run();
		}
		Observation.@Nullable Scope outer = this.registry.getCurrentObservationScope();
		Observation observation;
		Observation.Scope scope;
		try {
			observation = observationOf(work, cacheName).start();
		}
		catch (RuntimeException ex) {
			failed(work, cacheName, ex, outer);
			return step.run();
		}
		try {
			scope = observation.openScope();
		}
		catch (RuntimeException ex) {
			failed(work, cacheName, ex, outer);
			stopQuietly(work, cacheName, observation, outer);
			return step.run();
		}
		T result;
		try {
			result = step.run();
		}
		catch (Throwable ex) {
			finish(work, cacheName, observation, scope, outer, "failure", ex);
			throw ex;
		}
		finish(work, cacheName, observation, scope, outer, work.result(result), null);
		return result;
	}

	private Observation observationOf(Work work, String cacheName) {
		String operation = work.operation();
		Observation observation = Observation.createNotStarted(work.observationName(), this.registry)
			.lowCardinalityKeyValue("cache", cacheName)
			.lowCardinalityKeyValue("tier", work.tier());
		if (operation == null) {
			return observation.contextualName(work.observationName() + " " + cacheName);
		}
		return observation.contextualName(work.observationName() + " " + operation + " " + cacheName)
			.lowCardinalityKeyValue("operation", operation);
	}

	private void finish(Work work, String cacheName, Observation observation, Observation.Scope scope,
			Observation.@Nullable Scope outer, String result, @Nullable Throwable failure) {
		try {
			scope.close();
		}
		catch (RuntimeException ex) {
			failed(work, cacheName, ex, outer);
		}
		try {
			observation.lowCardinalityKeyValue("result", result);
			if (failure != null) {
				observation.error(failure);
			}
		}
		catch (RuntimeException ex) {
			failed(work, cacheName, ex, outer);
		}
		stopQuietly(work, cacheName, observation, outer);
	}

	/** Stops the observation, so that no timer sample or span is left open, whatever a handler throws. */
	private void stopQuietly(Work work, String cacheName, Observation observation, Observation.@Nullable Scope outer) {
		try {
			observation.stop();
		}
		catch (RuntimeException ex) {
			failed(work, cacheName, ex, outer);
		}
	}

	/** A handler failed: logs it now and then, and puts the thread's current observation back. */
	private void failed(Work work, String cacheName, RuntimeException ex, Observation.@Nullable Scope outer) {
		if (this.registry.getCurrentObservationScope() != outer) {
			this.registry.setCurrentObservationScope(outer);
		}
		if (this.failureLog.allow()) {
			logger.warn("Tiercache could not trace " + work.observationName() + " of cache '" + cacheName
					+ "' (an observation handler failed); the work itself was not affected", ex);
		}
	}

}
