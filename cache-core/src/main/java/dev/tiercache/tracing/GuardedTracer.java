package dev.tiercache.tracing;

import org.jspecify.annotations.Nullable;

/**
 * A tracer that cannot change the work it traces: the step runs exactly once, and what it returned or
 * threw is handed back whatever the tracer does. A tracer that throws before it runs the step, or never
 * runs it, leaves the step to run untraced; one that throws (an {@link Error} included), or returns
 * something else, once the step is done leaves the step's own outcome standing. So a lease taken, a
 * value written or a write queued in Redis is never reported as failed, nor left unreleased, because a
 * tracer failed. Thread-safe if the tracer is.
 */
final class GuardedTracer implements CacheTracer {

	private final CacheTracer tracer;

	GuardedTracer(CacheTracer tracer) {
		this.tracer = tracer;
	}

	@Override
	public <T extends @Nullable Object, E extends Throwable> T trace(Work work, String cacheName, Step<T, E> step)
			throws E {
		Outcome<T> outcome = new Outcome<>(step);
		try {
			this.tracer.trace(work, cacheName, outcome);
		}
		catch (Throwable ex) {
			// the tracer's own failure: the work's outcome stands, or the work runs untraced
		}
		return outcome.ran ? outcome.handBack() : step.run();
	}

	/** The step, run through the tracer, remembering what it returned or threw. */
	private static final class Outcome<T extends @Nullable Object> implements Step<T, Throwable> {

		private final Step<T, ? extends Throwable> step;

		private boolean ran;

		private @Nullable T returned;

		private @Nullable Throwable thrown;

		Outcome(Step<T, ? extends Throwable> step) {
			this.step = step;
		}

		@Override
		public T run() throws Throwable {
			if (this.ran) {
				throw new IllegalStateException("A tracer ran the traced work twice");
			}
			this.ran = true;
			try {
				T result = this.step.run();
				this.returned = result;
				return result;
			}
			catch (Throwable ex) {
				this.thrown = ex;
				throw ex;
			}
		}

		@SuppressWarnings("unchecked")
		<E extends Throwable> T handBack() throws E {
			if (this.thrown != null) {
				throw (E) this.thrown;
			}
			return (T) this.returned;
		}

	}

}
