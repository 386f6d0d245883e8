package dev.tiercache.interceptor;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * The cache operations of one method, parsed once, that {@link SpringCacheInterceptor} runs in the place
 * of Spring's interceptor, with its semantics. Thread-safe.
 */
interface SpringFastOperation {

	/** Runs the method with its cache operations around it. */
	@Nullable Object invoke(MethodInvocation invocation) throws Throwable;

}
