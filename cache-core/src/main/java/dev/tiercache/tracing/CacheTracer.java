package dev.tiercache.tracing;

import org.jspecify.annotations.Nullable;

/**
 * Watches the slow work a cache does on a caller's behalf, so that a trace shows where a request's time
 * went: each load of a key that missed (the cached method or loader running), each call a cache operation
 * makes to Redis, and each batch of queued writes a write-behind flusher applies. An L1 hit is never
 * traced, nor are the calls to Redis made in the background (repairs, coherence checks, lease renewals,
 * the flushers' own bookkeeping). Set with
 * {@code TieredCacheManager.Builder#tracer}; {@link #NONE}, the default, traces nothing.
 * {@link ObservationCacheTracer} reports the work as Micrometer observations.
 *
 * <p>Implementations are thread-safe, run the work once on the calling thread, and hand back what it
 * returned or threw, unchanged. The cache manager {@linkplain #guarded guards} the tracer it is given,
 * so one that fails to do so cannot fail or repeat the work.
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
	 * A tracer that traces as {@code tracer} does but cannot change the work: the step runs exactly once
	 * and its own result or exception is what the caller gets, whatever {@code tracer} throws or returns.
	 * @return {@code tracer} itself if it is {@link #NONE}
	 */
	static CacheTracer guarded(CacheTracer tracer) {
		return (tracer == NONE || tracer instanceof GuardedTracer) ? tracer : new GuardedTracer(tracer);
	}

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
		LOAD("tiercache.load", "loader", null),

		/**
		 * A batch of queued writes applied by a write-behind flusher to the backing store; its step returns
		 * whether every entry was settled ({@code false}: some are left for a later flush).
		 */
		FLUSH("tiercache.writebehind.flush", "backing-store", null),

		/** A read of a key's entry in Redis (or of many keys' at once), with its queued write if any. */
		REDIS_READ("read"),

		/** A read of a key in Redis that takes the key's load lease if it holds no value. */
		REDIS_LEASE("lease"),

		/** A loaded value stored in Redis under its lease, which is released. */
		REDIS_STORE("store"),

		/** A load's lease released in Redis without a value stored (the load failed or stored nothing). */
		REDIS_RELEASE("release"),

		/** A write or delete of a key's entry in Redis (a put, an evict, a write-through's steps). */
		REDIS_WRITE("write"),

		/** A write queued in Redis for the backing store ({@code @WriteBehind}). */
		REDIS_ENQUEUE("enqueue"),

		/** Every entry of the cache invalidated in Redis (its namespace version bumped). */
		REDIS_CLEAR("clear");

		private final String observationName;

		private final String tier;

		private final @Nullable String operation;

		Work(String operation) {
			this("tiercache.redis", "redis", operation);
		}

		Work(String observationName, String tier, @Nullable String operation) {
			this.observationName = observationName;
			this.tier = tier;
			this.operation = operation;
		}

		/** The name to report the work under, as Micrometer names observations. */
		public String observationName() {
			return this.observationName;
		}

		/** Where the time goes: {@code loader}, {@code backing-store} or {@code redis}. */
		public String tier() {
			return this.tier;
		}

		/**
		 * What a call to Redis did ({@code read}, {@code lease}, {@code store}, {@code release},
		 * {@code write}, {@code enqueue}, {@code clear}); {@code null} for work outside Redis.
		 */
		public @Nullable String operation() {
			return this.operation;
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
