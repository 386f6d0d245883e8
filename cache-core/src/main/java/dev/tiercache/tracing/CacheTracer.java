package dev.tiercache.tracing;

import org.jspecify.annotations.Nullable;

/**
 * Watches the slow work a cache does on a caller's behalf, so that a trace shows where a request's time
 * went: each load of a key that missed (the cached method or loader running), and each batch of queued
 * writes a write-behind flusher applies. An L1 hit is never traced. Set with
 * {@code TieredCacheManager.Builder#tracer}; {@link #NONE}, the default, traces nothing.
 * {@link ObservationCacheTracer} reports the work as Micrometer observations.
 *
 * <p>Implementations are thread-safe, run the work once on the calling thread, and hand back what it
 * returned or threw, unchanged.
 */
public interface CacheTracer {

	/** Traces nothing: runs the work. */
	CacheTracer NONE = new CacheTracer() {

		@Override
		public <T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName,
				Step<T, E> step) throws E {
			return step.run();
		}

	};

	/**
	 * Runs {@code step}, tracing it as {@code work} of the cache.
	 * @param cacheName the cache the work is for
	 * @return what the step returned
	 * @throws E what the step threw
	 */
	<T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName, Step<T, E> step) throws E;

	/** The kinds of work traced, each with a low-cardinality name for where the time went. */
	enum Work {

		/** A load of a key (or of a batch of keys) that missed: the cached method or the loader ran. */
		LOAD("tiercache.load", "loader"),

		/**
		 * A batch of queued writes applied by a write-behind flusher to the backing store; its step returns
		 * whether every entry was settled ({@code false}: some are left for a later flush).
		 */
		FLUSH("tiercache.writebehind.flush", "backing-store");

		private final String observationName;

		private final String tier;

		Work(String observationName, String tier) {
			this.observationName = observationName;
			this.tier = tier;
		}

		/** The name to report the work under, as Micrometer names observations. */
		public String observationName() {
			return this.observationName;
		}

		/** Where the time goes: {@code loader} or {@code backing-store}. */
		public String tier() {
			return this.tier;
		}

		/**
		 * How work that returned {@code returned} ended: {@code success}, or {@code incomplete} for a flush
		 * that left entries for later.
		 */
		public String result(@Nullable Object returned) {
			return (this == FLUSH && Boolean.FALSE.equals(returned)) ? "incomplete" : "success";
		}

	}

	/**
	 * The work itself.
	 * @param <T> what it returns
	 * @param <E> what it may throw
	 */
	@FunctionalInterface
	interface Step<T extends @Nullable Object, E extends Throwable> {

		T run() throws E;

	}

}
