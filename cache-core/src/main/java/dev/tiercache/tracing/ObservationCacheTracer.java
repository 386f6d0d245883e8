package dev.tiercache.tracing;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Reports a cache's loads and write-behind flushes as Micrometer {@link Observation}s
 * ({@code tiercache.load}, {@code tiercache.write-behind.flush}), so that a tracing bridge turns them
 * into spans and a meter handler into timers. Each carries only low-cardinality key values: {@code cache}
 * (its name), {@code tier} ({@code loader} or {@code backing-store}) and {@code result} ({@code success},
 * or {@code error} with the exception recorded). The observation is current while the work runs, so the
 * loader's own observations (a JDBC call, say) nest under it. With a no-op registry nothing is created.
 * Thread-safe.
 */
public final class ObservationCacheTracer implements CacheTracer {

	private static final KeyValue SUCCESS = KeyValue.of("result", "success");

	private static final KeyValue ERROR = KeyValue.of("result", "error");

	private final ObservationRegistry registry;

	public ObservationCacheTracer(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public <T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName, Step<T, E> step)
			throws E {
		if (this.registry.isNoop()) {
			return step.run();
		}
		Observation observation = Observation.createNotStarted(work.observationName(), this.registry)
			.contextualName(work.observationName() + " " + cacheName)
			.lowCardinalityKeyValue("cache", cacheName)
			.lowCardinalityKeyValue("tier", work.tier())
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			T result = step.run();
			observation.lowCardinalityKeyValue(SUCCESS);
			return result;
		}
		catch (Throwable ex) {
			observation.lowCardinalityKeyValue(ERROR);
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

}
