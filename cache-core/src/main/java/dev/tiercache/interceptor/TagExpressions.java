package dev.tiercache.interceptor;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.TieredCache;

/**
 * The {@code tags} of an annotation, parsed once: SpEL expressions, each yielding one tag, a collection or
 * an array of tags, or {@code null} for none; a tag that is not a {@code String} is taken as its
 * {@code String.valueOf} ({@code #id} tags by the id). Immutable and thread-safe.
 */
final class TagExpressions {

	private final List<MethodExpression> expressions;

	private TagExpressions(List<MethodExpression> expressions) {
		this.expressions = expressions;
	}

	/**
	 * Parses an annotation's {@code tags}, or returns {@code null} if it has none.
	 * @param variables the variables besides the parameters the expressions may use ({@code result})
	 * @throws IllegalStateException naming the annotation, the expression and the method if one cannot be parsed
	 */
	static @Nullable TagExpressions parse(TiercacheOperationSource source, String annotation, String[] texts,
			Method method, Set<String> variables) {
		List<MethodExpression> expressions = new ArrayList<>(texts.length);
		for (String text : texts) {
			MethodExpression expression = source.expression(annotation, "tags", text, method, variables);
			if (expression == null) {
				throw new IllegalStateException("@" + annotation + "(tags = …) on " + method + " holds a blank "
						+ "expression; each one yields a tag, such as \"'product:' + #id\"");
			}
			expressions.add(expression);
		}
		return expressions.isEmpty() ? null : new TagExpressions(List.copyOf(expressions));
	}

	/**
	 * The tags for one call.
	 * @param result the method's result (or the value to cache), visible as {@code #result} when {@code hasResult}
	 * @throws IllegalStateException naming the expression and the method if one fails or yields a tag that
	 * cannot be one (blank, say)
	 */
	List<String> evaluate(@Nullable Object[] arguments, @Nullable Object target, boolean hasResult,
			@Nullable Object result) {
		List<String> tags = new ArrayList<>();
		for (MethodExpression expression : this.expressions) {
			add(tags, expression, expression.evaluate(arguments, target, hasResult, result));
		}
		return tags;
	}

	private static void add(List<String> tags, MethodExpression expression, @Nullable Object yielded) {
		if (yielded == null) {
			return;
		}
		if (yielded instanceof Iterable<?> many) {
			for (Object tag : many) {
				add(tags, expression, tag);
			}
			return;
		}
		if (yielded.getClass().isArray()) {
			for (int i = 0; i < Array.getLength(yielded); i++) {
				add(tags, expression, Array.get(yielded, i));
			}
			return;
		}
		String tag = String.valueOf(yielded);
		String problem = TieredCache.tagProblem(tag);
		if (problem != null) {
			throw expression.yieldedWrongly("yielded the tag '" + tag + "', which " + problem);
		}
		tags.add(tag);
	}

}
