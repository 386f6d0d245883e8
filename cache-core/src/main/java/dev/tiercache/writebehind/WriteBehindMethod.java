package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/**
 * A method whose calls are queued ({@code @WriteBehind}), as the queue sees it: where its entries go,
 * how to decode them and how to apply them. Every instance must register the same methods under the
 * same {@link #id()}, before entries are flushed. Implementations must be thread-safe.
 */
public interface WriteBehindMethod {

	/** Identifies the method in queue entries, the same on every instance: {@code Class#method(types)}. */
	String id();

	/** The cache whose queue holds the calls. */
	TieredCache cache();

	/** The declared types the arguments are encoded as and decoded to. */
	Type[] parameterTypes();

	/**
	 * Runs the method for a queued call (on the flusher's thread), without queueing it again.
	 * @throws Throwable what the method threw
	 */
	void apply(@Nullable Object[] arguments) throws Throwable;

	/** Whether {@link #applyBatch} may be used for calls of this method. */
	boolean hasBatchMethod();

	/**
	 * Runs the batch method once for several calls, each of another key.
	 * @throws Throwable what the batch method threw (each call is then applied on its own)
	 */
	void applyBatch(List<@Nullable Object[]> calls) throws Throwable;

}
