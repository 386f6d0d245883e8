package dev.tiercache.interceptor;

/**
 * What the interceptor does for one annotated method: read through the cache
 * ({@link CacheAsideOperation}) or write to it around the method ({@link WriteOperations}).
 */
sealed interface MethodOperation permits CacheAsideOperation, WriteOperations {
}
