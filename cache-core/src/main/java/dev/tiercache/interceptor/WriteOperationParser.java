package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;

import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.internal.write.WriteIntent;
import dev.tiercache.strategy.CacheWriteScheduler;
import dev.tiercache.strategy.InvalidateStrategy;
import dev.tiercache.strategy.WriteAroundStrategy;
import dev.tiercache.strategy.WriteThroughStrategy;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * Parses {@link WriteThrough}, {@link WriteAround} and {@link CacheInvalidate} (each repeatable) on
 * one method into {@link WriteOperation}s that call the patterns' strategies. Thread-safe.
 */
final class WriteOperationParser {

	private final TiercacheOperationSource source;

	private final WriteThroughStrategy writeThrough;

	private final WriteAroundStrategy writeAround;

	private final InvalidateStrategy invalidate;

	private final CacheWriteScheduler scheduler = new CacheWriteScheduler();

	WriteOperationParser(TiercacheOperationSource source) {
		this.source = source;
		this.writeThrough = new WriteThroughStrategy(this.scheduler);
		this.writeAround = new WriteAroundStrategy(this.scheduler);
		this.invalidate = new InvalidateStrategy(this.scheduler);
	}

	/**
	 * The write operations on the method, in the order: write-throughs, write-arounds, invalidations.
	 * @throws IllegalStateException naming the annotation and method if one cannot work
	 */
	List<WriteOperation> parse(Method method, Class<?> targetClass) {
		List<WriteOperation> operations = new ArrayList<>();
		for (WriteThrough annotation : AnnotatedElementUtils.findMergedRepeatableAnnotations(method, WriteThrough.class)) {
			operations.add(writeThrough(annotation, method, targetClass));
		}
		for (WriteAround annotation : AnnotatedElementUtils.findMergedRepeatableAnnotations(method, WriteAround.class)) {
			operations.add(writeAround(annotation, method));
		}
		for (CacheInvalidate annotation : AnnotatedElementUtils.findMergedRepeatableAnnotations(method,
				CacheInvalidate.class)) {
			operations.add(invalidate(annotation, method));
		}
		return operations;
	}

	private WriteOperation writeThrough(WriteThrough annotation, Method method, Class<?> targetClass) {
		String name = "WriteThrough";
		TieredCache cache = this.source.resolveCache(name, annotation.cache(), method);
		ResultKey key = key(name, annotation.key(), method, true);
		MethodExpression value = this.source.expression(name, "value", annotation.value(), method, Set.of("result"));
		WrittenValue written;
		if (value != null) {
			written = (arguments, target, result) -> value.evaluate(arguments, target, true, result);
		}
		else if (method.getReturnType() != void.class) {
			written = (arguments, target, result) -> result;
		}
		else if (method.getParameterCount() == 1) {
			written = (arguments, target, result) -> arguments[0];
		}
		else {
			throw new IllegalStateException("@WriteThrough(cache = \"" + annotation.cache() + "\") on " + method
					+ " has no value to write: the method returns nothing and has " + method.getParameterCount()
					+ " parameters; set 'value' (e.g. value = \"#book\")");
		}
		@Nullable Type declared = (value != null) ? null
				: (method.getReturnType() != void.class) ? returnedValueType(method, targetClass)
						: ValueTypes.concrete(ResolvableType.forMethodParameter(method, 0, targetClass));
		WriteOperation.Effect effect = (arguments, target, result, intent) -> {
			Object writtenKey = key.resolve(arguments, target, result);
			if (intent == null || !intent.key().equals(writtenKey)) {
				if (intent != null) {
					intent.complete(null, Object.class);
				}
				this.writeThrough.writtenUnannounced(cache, writtenKey);
				return;
			}
			Object writtenValue = written.of(arguments, target, result);
			Type type = (declared != null) ? declared : (writtenValue != null) ? writtenValue.getClass() : Object.class;
			this.writeThrough.written(cache, intent, writtenValue, type);
		};
		WriteOperation.Intention intention = keyUsesResult(annotation.key(), method) ? null
				: (arguments, target) -> intendBefore(cache, key, arguments, target);
		return new WriteOperation("@WriteThrough(cache = " + annotation.cache() + ")", false,
				this.source.expression(name, "condition", annotation.condition(), method, Set.of("result")), intention,
				effect);
	}

	/**
	 * The write-behind operation of a method.
	 * @throws IllegalStateException naming the method if it cannot be queued
	 */
	WriteBehindOperation writeBehind(WriteBehind annotation, Method method, Class<?> targetClass,
			WriteBehindQueues queues) {
		String name = "WriteBehind";
		String described = "@WriteBehind(cache = \"" + annotation.cache() + "\") on " + method;
		if (method.getReturnType() != void.class) {
			throw new IllegalStateException(described + " returns " + method.getReturnType().getName()
					+ ", but a write-behind call returns before the method runs; make it return void");
		}
		TieredCache cache = this.source.resolveCache(name, annotation.cache(), method);
		Type[] parameterTypes = new Type[method.getParameterCount()];
		for (int i = 0; i < parameterTypes.length; i++) {
			parameterTypes[i] = ValueTypes.concrete(ResolvableType.forMethodParameter(method, i, targetClass));
		}
		String valueText = annotation.value();
		int valueIndex = valueText.isBlank() ? ((method.getParameterCount() == 1) ? 0 : -1)
				: MethodExpression.parameterIndex(valueText, method, this.source.parameterNames());
		WriteBehindOperation.ValueOf value;
		Type valueType;
		if (valueIndex >= 0) {
			value = (arguments, target) -> arguments[valueIndex];
			valueType = parameterTypes[valueIndex];
		}
		else if (!valueText.isBlank()) {
			MethodExpression expression = Objects.requireNonNull(
					this.source.expression(name, "value", valueText, method, Set.of()));
			value = (arguments, target) -> expression.evaluate(arguments, target, false, null);
			valueType = Object.class;
		}
		else {
			throw new IllegalStateException(described + " has " + method.getParameterCount()
					+ " parameters, so it needs 'value' to say what to cache (e.g. value = \"#book\")");
		}
		return new WriteBehindOperation(method, targetClass, cache, this.source.keyResolver(name, annotation.key(), method),
				value, valueType, this.source.expression(name, "condition", annotation.condition(), method, Set.of()),
				parameterTypes, batchMethod(annotation, method, targetClass, described), queues, this.scheduler);
	}

	private static @Nullable Method batchMethod(WriteBehind annotation, Method method, Class<?> targetClass,
			String described) {
		String name = annotation.batchMethod();
		if (name.isBlank()) {
			return null;
		}
		if (method.getParameterCount() != 1) {
			throw new IllegalStateException(described + " names batchMethod \"" + name
					+ "\", which needs the method to take exactly one parameter (the entity)");
		}
		for (Method candidate : targetClass.getMethods()) {
			if (candidate.getName().equals(name) && candidate.getParameterCount() == 1
					&& candidate.getParameterTypes()[0].isAssignableFrom(List.class)) {
				return candidate;
			}
		}
		throw new IllegalStateException(described + " names batchMethod \"" + name + "\", but "
				+ targetClass.getName() + " has no public method " + name + "(List<"
				+ method.getParameterTypes()[0].getSimpleName() + ">)");
	}

	private WriteOperation writeAround(WriteAround annotation, Method method) {
		String name = "WriteAround";
		TieredCache cache = this.source.resolveCache(name, annotation.cache(), method);
		ResultKey key = key(name, annotation.key(), method, true);
		return new WriteOperation("@WriteAround(cache = " + annotation.cache() + ")", false,
				this.source.expression(name, "condition", annotation.condition(), method, Set.of("result")),
				(arguments, target, result, intent) -> this.writeAround.written(cache, key.resolve(arguments, target, result)));
	}

	private WriteOperation invalidate(CacheInvalidate annotation, Method method) {
		String name = "CacheInvalidate";
		TieredCache cache = this.source.resolveCache(name, annotation.cache(), method);
		boolean before = annotation.beforeInvocation();
		Set<String> variables = before ? Set.of() : Set.of("result");
		MethodExpression condition = this.source.expression(name, "condition", annotation.condition(), method, variables);
		String description = "@CacheInvalidate(cache = " + annotation.cache() + ")";
		TagExpressions tags = TagExpressions.parse(this.source, name, annotation.tags(), method, variables);
		if (annotation.allEntries()) {
			if (!annotation.key().isBlank() || tags != null) {
				String named = annotation.key().isBlank() ? "tags = " + Arrays.toString(annotation.tags())
						: "key = \"" + annotation.key() + "\"";
				throw new IllegalStateException("@CacheInvalidate(cache = \"" + annotation.cache() + "\", " + named
						+ ", allEntries = true) on " + method + " names "
						+ (annotation.key().isBlank() ? "tags" : "a key") + " and all entries; remove one of them");
			}
			return new WriteOperation(description, before, condition,
					(arguments, target, result, intent) -> this.invalidate.invalidate(cache, null, before));
		}
		if (tags != null) {
			ResultKey key = annotation.key().isBlank() ? null : key(name, annotation.key(), method, !before);
			return new WriteOperation(description, before, condition, (arguments, target, result, intent) -> {
				if (key != null) {
					this.invalidate.invalidate(cache, key.resolve(arguments, target, result), before);
				}
				this.invalidate.invalidateTags(cache, tags.evaluate(arguments, target, !before, result), before);
			});
		}
		ResultKey key = key(name, annotation.key(), method, !before);
		return new WriteOperation(description, before, condition, (arguments, target, result, intent) -> this.invalidate
			.invalidate(cache, key.resolve(arguments, target, result), before));
	}

	/**
	 * Announces a write-through before its method runs, or returns {@code null} when its key cannot be
	 * resolved yet (an id the method assigns, say): the write is then stored as not announced.
	 */
	private @Nullable WriteIntent intendBefore(TieredCache cache, ResultKey key, @Nullable Object[] arguments,
			@Nullable Object target) {
		Object resolved;
		try {
			resolved = key.resolve(arguments, target, null);
		}
		catch (RuntimeException ex) {
			return null;
		}
		return this.writeThrough.intend(cache, resolved);
	}

	/** Whether a key attribute refers to the method's result, so that it is known only after the method. */
	private boolean keyUsesResult(String text, Method method) {
		if (text.isBlank() || MethodExpression.parameterIndex(text, method, this.source.parameterNames()) >= 0) {
			return false;
		}
		MethodExpression expression = this.source.expression("WriteThrough", "key", text, method, Set.of("result"));
		return expression != null && expression.uses("result");
	}

	/** The key of a write, which may use {@code #result} when the write follows the method. */
	private ResultKey key(String annotation, String text, Method method, boolean withResult) {
		if (text.isBlank() || MethodExpression.parameterIndex(text, method, this.source.parameterNames()) >= 0) {
			KeyResolver resolver = this.source.keyResolver(annotation, text, method);
			return (arguments, target, result) -> resolver.resolve(method, arguments, target);
		}
		MethodExpression expression = this.source.expression(annotation, "key", text, method,
				withResult ? Set.of("result") : Set.of());
		return (arguments, target, result) -> {
			Object key = (expression != null) ? expression.evaluate(arguments, target, withResult, result) : null;
			if (key == null) {
				throw KeyResolver.nullKey(annotation, method, text);
			}
			return key;
		};
	}

	private static Type returnedValueType(Method method, Class<?> targetClass) {
		ResolvableType returned = ResolvableType.forMethodReturnType(method, targetClass);
		Class<?> raw = returned.toClass();
		if (ValueTypes.isAsynchronous(raw)) {
			throw new IllegalStateException("@WriteThrough on " + method + " returns " + raw.getName()
					+ "; asynchronous results are not supported yet; set 'value' to a parameter (e.g. value = \"#book\")");
		}
		return ValueTypes.concrete((raw == Optional.class) ? returned.getGeneric(0) : returned);
	}

	/** Computes the value a write-through caches, from the arguments and the method's result. */
	@FunctionalInterface
	private interface WrittenValue {

		@Nullable Object of(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result);

	}

	/** Computes the key of one call, from the arguments and, after the call, its result. */
	@FunctionalInterface
	private interface ResultKey {

		Object resolve(@Nullable Object[] arguments, @Nullable Object target, @Nullable Object result);

	}

}
