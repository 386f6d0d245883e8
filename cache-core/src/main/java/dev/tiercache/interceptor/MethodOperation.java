package dev.tiercache.interceptor;

/**
 * What the interceptor does for one annotated method: read through the cache
 * ({@link CacheAsideOperation}, or {@link BatchReadOperation} for many ids at once), write to it around
 * the method ({@link WriteOperations}), or queue the call ({@link WriteBehindOperation}).
 */
sealed interface MethodOperation
		permits CacheAsideOperation, BatchReadOperation, WriteOperations, WriteBehindOperation {
}
