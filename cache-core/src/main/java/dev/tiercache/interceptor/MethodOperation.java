package dev.tiercache.interceptor;

/**
 * What the interceptor does for one annotated method: read through the cache
 * ({@link CacheAsideOperation}), write to it around the method ({@link WriteOperations}), or queue the
 * call ({@link WriteBehindOperation}).
 */
sealed interface MethodOperation permits CacheAsideOperation, WriteOperations, WriteBehindOperation {
}
