package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.ReflectivePropertyAccessor;

/**
 * One SpEL attribute of an annotated method, parsed and checked once: every {@code #variable} it
 * names must be a parameter name, {@code #pN}/{@code #aN} within the parameter count, {@code #root},
 * or a variable the attribute allows ({@code #result} for {@code unless}). Evaluated with the
 * method's arguments; compiled to bytecode after a few evaluations where SpEL can. Thread-safe.
 */
final class MethodExpression {

	static final SpelExpressionParser PARSER = new SpelExpressionParser(
			new SpelParserConfiguration(SpelCompilerMode.MIXED, MethodExpression.class.getClassLoader()));

	/**
	 * One reflective accessor for every evaluation, so that the getter it finds for a type is found
	 * once: a context's own accessor starts empty, and looking a getter up again (for a record,
	 * {@code Class.getMethods()}) made a {@code #book.id} key cost more than the Redis call.
	 */
	static final List<PropertyAccessor> PROPERTY_ACCESSORS = List.of(new ReflectivePropertyAccessor());

	private static final Pattern INDEXED_PARAMETER = Pattern.compile("[pa](\\d+)");

	private final String annotation;

	private final String attribute;

	private final String text;

	private final Method method;

	private final SpelExpression expression;

	private final ParameterNameDiscoverer parameterNames;

	/** Whether the method is a Kotlin {@code suspend} function, whose last argument expressions do not see. */
	private final boolean suspending;

	private MethodExpression(String annotation, String attribute, String text, Method method,
			SpelExpression expression, ParameterNameDiscoverer parameterNames) {
		this.annotation = annotation;
		this.attribute = attribute;
		this.text = text;
		this.method = method;
		this.expression = expression;
		this.parameterNames = parameterNames;
		this.suspending = KotlinDetector.isSuspendingFunction(method);
	}

	/**
	 * How many parameters expressions see: a Kotlin {@code suspend} function's last, its continuation,
	 * is not one of them.
	 */
	static int visibleParameterCount(Method method) {
		return method.getParameterCount() - (KotlinDetector.isSuspendingFunction(method) ? 1 : 0);
	}

	/**
	 * Parses and checks an attribute.
	 * @param annotation the annotation's simple name, for messages ({@code CacheAside}, …)
	 * @param attribute the attribute's name, for messages ({@code key}, {@code unless}, …)
	 * @param extraVariables variables the attribute may use besides the parameters
	 * @throws IllegalStateException naming the method, the attribute and the problem
	 */
	static MethodExpression parse(String annotation, String attribute, String text, Method method,
			Set<String> extraVariables, ParameterNameDiscoverer parameterNames) {
		SpelExpression expression;
		try {
			expression = (SpelExpression) PARSER.parseExpression(text);
		}
		catch (ParseException ex) {
			throw new IllegalStateException(
					problem(annotation, attribute, text, method, "is not valid SpEL: " + ex.getMessage()), ex);
		}
		String[] names = parameterNames.getParameterNames(method);
		checkVariables(expression.getAST(), annotation, attribute, text, method, names, extraVariables);
		return new MethodExpression(annotation, attribute, text, method, expression, parameterNames);
	}

	/**
	 * The index of the parameter that {@code text} names alone ({@code #id}, {@code #p0}), or
	 * {@code -1} if it is anything else.
	 */
	static int parameterIndex(String text, Method method, ParameterNameDiscoverer parameterNames) {
		String trimmed = text.strip();
		if (!trimmed.startsWith("#") || !trimmed.substring(1).chars().allMatch(Character::isJavaIdentifierPart)) {
			return -1;
		}
		String name = trimmed.substring(1);
		String[] names = parameterNames.getParameterNames(method);
		if (names != null) {
			for (int i = 0; i < names.length; i++) {
				if (names[i].equals(name)) {
					return i;
				}
			}
		}
		var matcher = INDEXED_PARAMETER.matcher(name);
		if (matcher.matches()) {
			int index = Integer.parseInt(matcher.group(1));
			return (index < visibleParameterCount(method)) ? index : -1;
		}
		return -1;
	}

	/** Whether the expression refers to the variable ({@code result} for {@code #result}). */
	boolean uses(String variable) {
		return uses(this.expression.getAST(), variable);
	}

	private static boolean uses(SpelNode node, String variable) {
		if (node instanceof VariableReference && node.toStringAST().substring(1).equals(variable)) {
			return true;
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			if (uses(node.getChild(i), variable)) {
				return true;
			}
		}
		return false;
	}

	private static void checkVariables(SpelNode node, String annotation, String attribute, String text, Method method,
			String @Nullable [] names, Set<String> extraVariables) {
		if (node instanceof VariableReference) {
			String variable = node.toStringAST().substring(1);
			if (!isKnown(variable, method, names, extraVariables)) {
				String hint = (names == null)
						? "parameter names are not available; compile with '-parameters' or use #p0, #p1, …"
						: "the parameters are " + String.join(", ", names) + " (or #p0, #p1, …)";
				throw new IllegalStateException(problem(annotation, attribute, text, method,
						"refers to #" + variable + ", which is not defined: " + hint));
			}
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			checkVariables(node.getChild(i), annotation, attribute, text, method, names, extraVariables);
		}
	}

	private static boolean isKnown(String variable, Method method, String @Nullable [] names,
			Set<String> extraVariables) {
		if (variable.equals("root") || variable.equals("this") || extraVariables.contains(variable)) {
			return true;
		}
		if (names != null && Set.of(names).contains(variable)) {
			return true;
		}
		var matcher = INDEXED_PARAMETER.matcher(variable);
		return matcher.matches() && Integer.parseInt(matcher.group(1)) < visibleParameterCount(method);
	}

	private static String problem(String annotation, String attribute, String text, Method method, String problem) {
		return "@" + annotation + "(" + attribute + " = \"" + text + "\") on " + method + " " + problem;
	}

	/**
	 * Evaluates the expression for one call.
	 * @param result the method's result, visible as {@code #result}; ignored when {@code hasResult} is
	 * {@code false}
	 * @throws IllegalStateException naming the method and the expression if evaluation fails
	 */
	@Nullable Object evaluate(@Nullable Object[] arguments, @Nullable Object target, boolean hasResult,
			@Nullable Object result) {
		// Spring's context leaves a suspend function's continuation out of the variables itself; #root.args too
		@Nullable Object[] visible = this.suspending ? Arrays.copyOf(arguments, arguments.length - 1) : arguments;
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(
				new ExpressionRoot(this.method, visible, target), this.method, arguments, this.parameterNames);
		context.setPropertyAccessors(PROPERTY_ACCESSORS);
		if (hasResult) {
			context.setVariable("result", result);
		}
		try {
			return this.expression.getValue(context);
		}
		catch (EvaluationException ex) {
			throw new IllegalStateException(problem(this.annotation, this.attribute, this.text, this.method,
					"failed to evaluate: " + ex.getMessage()), ex);
		}
	}

	/** An error about what the expression yielded: it names the annotation, the expression and the method. */
	IllegalStateException yieldedWrongly(String problem) {
		return new IllegalStateException(problem(this.annotation, this.attribute, this.text, this.method, problem));
	}

	/** Evaluates a boolean expression ({@code condition}, {@code unless}). */
	boolean test(@Nullable Object[] arguments, @Nullable Object target, boolean hasResult,
			@Nullable Object result) {
		Object value = evaluate(arguments, target, hasResult, result);
		if (value instanceof Boolean bool) {
			return bool;
		}
		throw yieldedWrongly("must yield a boolean, but yielded " + value);
	}

	/**
	 * The root object of expressions: {@code #root.method}, {@code #root.args}, {@code #root.target}.
	 * @param method the cached method
	 * @param args its arguments
	 * @param target the bean
	 */
	record ExpressionRoot(Method method, @Nullable Object[] args, @Nullable Object target) {

		public String methodName() {
			return this.method.getName();
		}

	}

}
