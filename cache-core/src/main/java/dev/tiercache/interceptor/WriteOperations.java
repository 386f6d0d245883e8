package dev.tiercache.interceptor;

import java.util.List;
import java.util.Optional;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.write.WriteIntent;


/**
 * The write annotations of one method ({@code @WriteThrough}, {@code @WriteAround},
 * {@code @CacheInvalidate}), in declaration order: those before invocation run first, then the
 * write-throughs whose keys are known register their intents, then the method, then, only if it
 * returned, the others. An exception from the method reaches the caller unchanged, withdraws the
 * intents and leaves the cache as the before-invocation deletes left it; an operation that fails after
 * the method returned (its key or value expression threw) deletes its key, since the method may have
 * written. Immutable and thread-safe.
 */
final class WriteOperations implements MethodOperation {

	private final List<WriteOperation> before;

	private final List<WriteOperation> after;

	private final boolean intending;

	WriteOperations(List<WriteOperation> operations) {
		this.before = operations.stream().filter(WriteOperation::beforeInvocation).toList();
		this.after = operations.stream().filter((operation) -> !operation.beforeInvocation()).toList();
		this.intending = this.after.stream().anyMatch(WriteOperation::intends);
	}

	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		for (WriteOperation operation : this.before) {
			operation.apply(arguments, target, null, null);
		}
		if (!this.intending) {
			Object result = invocation.proceed();
			Object value = unwrap(result);
			for (WriteOperation operation : this.after) {
				operation.apply(arguments, target, value, null);
			}
			return result;
		}
		@Nullable WriteIntent[] intents = new WriteIntent[this.after.size()];
		int applied = 0;
		boolean returned = false;
		try {
			for (int i = 0; i < intents.length; i++) {
				intents[i] = this.after.get(i).intend(arguments, target);
			}
			Object result = invocation.proceed();
			returned = true;
			Object value = unwrap(result);
			for (; applied < intents.length; applied++) {
				this.after.get(applied).apply(arguments, target, value, intents[applied]);
			}
			return result;
		}
		finally {
			settleFrom(intents, applied, returned);
		}
	}

	/**
	 * Settles the intents of the operations from {@code first} on, which did not complete: if the method
	 * returned (it may have written), their keys are deleted; if it threw, the intents are withdrawn.
	 */
	private static void settleFrom(@Nullable WriteIntent[] intents, int first, boolean returned) {
		for (int i = first; i < intents.length; i++) {
			WriteIntent intent = intents[i];
			if (intent == null) {
				continue;
			}
			if (returned) {
				intent.complete(null, Object.class);
			}
			else {
				intent.abandon();
			}
		}
	}

	private static @Nullable Object unwrap(@Nullable Object result) {
		return (result instanceof Optional<?> optional) ? optional.orElse(null) : result;
	}

	@Override
	public String toString() {
		return "WriteOperations" + this.before + this.after;
	}

}
