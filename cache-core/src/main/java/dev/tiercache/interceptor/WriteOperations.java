package dev.tiercache.interceptor;

import java.util.List;
import java.util.Optional;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * The write annotations of one method ({@code @WriteThrough}, {@code @WriteAround},
 * {@code @CacheInvalidate}), in declaration order: those before invocation run first, then the
 * method, then, only if it returned, the others. An exception from the method reaches the caller
 * unchanged and leaves the cache as the before-invocation deletes left it. Immutable and thread-safe.
 */
final class WriteOperations implements MethodOperation {

	private final List<WriteOperation> before;

	private final List<WriteOperation> after;

	WriteOperations(List<WriteOperation> operations) {
		this.before = operations.stream().filter(WriteOperation::beforeInvocation).toList();
		this.after = operations.stream().filter((operation) -> !operation.beforeInvocation()).toList();
	}

	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		for (WriteOperation operation : this.before) {
			operation.apply(arguments, target, null);
		}
		Object result = invocation.proceed();
		Object value = (result instanceof Optional<?> optional) ? optional.orElse(null) : result;
		for (WriteOperation operation : this.after) {
			operation.apply(arguments, target, value);
		}
		return result;
	}

	@Override
	public String toString() {
		return "WriteOperations" + this.before + this.after;
	}

}
