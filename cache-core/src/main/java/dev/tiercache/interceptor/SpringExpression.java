package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.Collection;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.BeanResolver;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * One SpEL attribute ({@code key}, {@code condition}, {@code unless}) of Spring's cache annotations,
 * parsed once and evaluated as Spring's own interceptor evaluates it: the root object has
 * {@code method}, {@code methodName}, {@code args}, {@code target}, {@code targetClass} and
 * {@code caches}; parameters are variables by name and as {@code #pN}/{@code #aN}; {@code #result} is
 * the unwrapped result where Spring offers it; {@code @bean} references resolve in the application
 * context. Unknown variables are {@code null} and evaluation errors propagate unchanged, as in Spring.
 * Compiled to bytecode after a few evaluations where SpEL can. Thread-safe.
 */
final class SpringExpression {

	/**
	 * Parses what is evaluated before the method's result is known, where reading {@code #result} (however
	 * written) fails on purpose: never compiled, since a compiled expression that fails is dropped and
	 * compiled again later, over and over, running its first part twice each time it fails.
	 */
	private static final SpelExpressionParser INTERPRETING = new SpelExpressionParser(
			new SpelParserConfiguration(SpelCompilerMode.OFF, SpringExpression.class.getClassLoader()));

	private final Expression expression;

	private final String text;

	/** The expression for {@link #isTrueBeforeTheResult}, interpreted; parsed on first use. */
	private volatile @Nullable Expression beforeTheResult;

	private final Method method;

	private final Method targetMethod;

	private final ParameterNameDiscoverer parameterNames;

	private final @Nullable BeanResolver beans;

	/**
	 * @param method the method as Spring's root object shows it (bridged)
	 * @param targetMethod the method whose parameter names the variables are: the bean class's own, as
	 * Spring finds it
	 */
	SpringExpression(String text, Method method, Method targetMethod, ParameterNameDiscoverer parameterNames,
			@Nullable BeanResolver beans) {
		this.expression = MethodExpression.PARSER.parseExpression(text);
		this.text = text;
		this.method = method;
		this.targetMethod = targetMethod;
		this.parameterNames = parameterNames;
		this.beans = beans;
	}

	/** The value for one call; {@code #result} is defined only when {@code hasResult}. */
	@Nullable Object value(Call call, boolean hasResult, @Nullable Object result) {
		return this.expression.getValue(context(call, hasResult, result));
	}

	/** Whether the expression yields {@code true} for one call, as Spring tests {@code condition} and {@code unless}. */
	boolean isTrue(Call call, boolean hasResult, @Nullable Object result) {
		return Boolean.TRUE.equals(this.expression.getValue(context(call, hasResult, result), Boolean.class));
	}

	/**
	 * Whether the expression yields {@code true} for a call whose method has not run yet, as Spring's
	 * interceptor asks of a {@code @CachePut} condition after a hit: {@code null} if the expression reads
	 * {@code #result}, which cannot be known yet (Spring then counts the put as applying).
	 */
	@Nullable Boolean isTrueBeforeTheResult(Call call) {
		try {
			return Boolean.TRUE.equals(beforeTheResult().getValue(context(call, false, null, true), Boolean.class));
		}
		catch (ResultUnavailableException ex) {
			return null;
		}
	}

	private Expression beforeTheResult() {
		Expression expression = this.beforeTheResult;
		if (expression == null) {
			expression = INTERPRETING.parseExpression(this.text);
			this.beforeTheResult = expression;
		}
		return expression;
	}

	private MethodBasedEvaluationContext context(Call call, boolean hasResult, @Nullable Object result) {
		return context(call, hasResult, result, false);
	}

	private MethodBasedEvaluationContext context(Call call, boolean hasResult, @Nullable Object result,
			boolean resultUnavailable) {
		MethodBasedEvaluationContext context = resultUnavailable
				? new ResultUnavailableContext(call, this.targetMethod, this.parameterNames)
				: new MethodBasedEvaluationContext(call, this.targetMethod, call.args(), this.parameterNames);
		context.setPropertyAccessors(MethodExpression.PROPERTY_ACCESSORS);
		if (this.beans != null) {
			context.setBeanResolver(this.beans);
		}
		if (hasResult) {
			context.setVariable("result", result);
		}
		return context;
	}

	/** A context in which reading {@code #result} fails with {@link ResultUnavailableException}. */
	private static final class ResultUnavailableContext extends MethodBasedEvaluationContext {

		ResultUnavailableContext(Call call, Method targetMethod, ParameterNameDiscoverer parameterNames) {
			super(call, targetMethod, call.args(), parameterNames);
		}

		@Override
		public @Nullable Object lookupVariable(String name) {
			if ("result".equals(name)) {
				throw new ResultUnavailableException();
			}
			return super.lookupVariable(name);
		}

	}

	/** Thrown where an expression reads {@code #result} before the method has run. */
	private static final class ResultUnavailableException extends EvaluationException {

		ResultUnavailableException() {
			super("#result is not available before the method has run");
		}

		/** Caught where it is thrown: a stack trace would cost more than the evaluation. */
		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	}

	/**
	 * One call, the root object of the expressions, as Spring's.
	 * @param caches the caches of the operation
	 * @param method the method called
	 * @param args its arguments
	 * @param target the bean
	 * @param targetClass the bean's class
	 */
	record Call(Collection<? extends Cache> caches, Method method, @Nullable Object[] args, @Nullable Object target,
			Class<?> targetClass) {

		public String methodName() {
			return this.method.getName();
		}

	}

}
