package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * Spring's asynchronous {@code Cache.retrieve} for one cache: an L1 hit completes the future at once;
 * anything that waits (for Redis, for another loader, for the loader's own future) runs on the cache's
 * executor, never on the caller's thread or the common pool. A load has the same single-flight and
 * lease guarantees as the synchronous read-through, and its future fails with what the loader's future
 * failed with, unwrapped.
 */
final class AsyncRetrieval {

	private static final Object ABSENT = new Object();

	private final TieredCache cache;

	private final Executor executor;

	AsyncRetrieval(TieredCache cache, Executor executor) {
		this.cache = cache;
		this.executor = executor;
	}

	/** A future of the cached value read as {@code type}, {@code null} on a miss. */
	CompletableFuture<@Nullable ValueWrapper> retrieve(Object key, Type type) {
		Object local = this.cache.peekLocal(key, type, Types.rawClass(type), ABSENT);
		if (local != ABSENT) {
			return CompletableFuture.completedFuture(new SimpleValueWrapper(local));
		}
		return CompletableFuture.supplyAsync(() -> this.cache.lookup(key, type, false), this.executor);
	}

	/** A future of the cached value read as {@code type}, loaded with {@code valueLoader} on a miss. */
	<T> CompletableFuture<T> retrieve(Object key, Type type, Supplier<CompletableFuture<T>> valueLoader) {
		Class<?> rawType = Types.rawClass(type);
		Object local = this.cache.peekLocal(key, type, rawType, ABSENT);
		if (local != ABSENT) {
			@SuppressWarnings("unchecked")
			T value = (T) local;
			return CompletableFuture.completedFuture(value);
		}
		CompletableFuture<T> result = new CompletableFuture<>();
		this.executor.execute(() -> {
			try {
				result.complete(this.cache.readThrough(key, type, rawType, () -> valueLoader.get().join()));
			}
			catch (ValueRetrievalException ex) {
				result.completeExceptionally(loaderFailure(ex));
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		return result;
	}

	/** What the loader's future failed with, without the wrappers added on the way. */
	private static Throwable loaderFailure(ValueRetrievalException ex) {
		Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
		return (cause instanceof CompletionException && cause.getCause() != null) ? cause.getCause() : cause;
	}

}
