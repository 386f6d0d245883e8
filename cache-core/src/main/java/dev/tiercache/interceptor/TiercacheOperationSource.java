package dev.tiercache.interceptor;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * Finds Tiercache's annotations on methods ({@link CacheAside}, {@link WriteThrough},
 * {@link WriteAround}, {@link CacheInvalidate}) and turns them into checked, immutable operations,
 * once per method and target class; later look-ups are one hash look-up (two when one method is
 * called on several target classes) and allocate nothing.
 *
 * <p>Parsing fails with an {@link IllegalStateException} that names the annotation, the method and
 * what to change when an annotation cannot work: invalid SpEL or an undefined {@code #variable}, an
 * unknown cache, a bad duration or percentage, a return type {@code @CacheAside} cannot cache, a
 * {@code @WriteThrough} without a value to write, {@code @CacheAside} combined with a write annotation.
 * Thread-safe.
 */
public final class TiercacheOperationSource {

	private static final Object NO_OPERATION = new Object();

	/** The parameter types a batch method may take its ids as. */
	private static final Set<Class<?>> BATCH_ID_TYPES = Set.of(Collection.class, List.class, Set.class);

	/** The annotation attribute behind each setting it can override. */
	private static final Map<String, String> ATTRIBUTES = Map.of("ttl", "ttl", "null-ttl", "nullTtl", "ttl-jitter",
			"ttlJitter", "refresh-ahead", "refreshAhead", "stale-while-revalidate", "staleWhileRevalidate",
			"early-expiry-beta", "earlyExpiryBeta", "fail-safe", "failSafe");

	private final Supplier<TieredCacheManager> cacheManager;

	private final Supplier<@Nullable WriteBehindQueues> writeBehindQueues;

	private final @Nullable StringValueResolver valueResolver;

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	/** A class of kotlinx-coroutines-reactor, with which Spring AOP proceeds with suspend functions as Monos. */
	private static final String COROUTINES_REACTOR = "kotlinx.coroutines.reactor.MonoKt";

	private static final String KOTLIN_FLOW = "kotlinx.coroutines.flow.Flow";

	private final WriteOperationParser writeParser = new WriteOperationParser(this);

	/** The operation of each method for the first target class it was looked up with: the common case, one map read. */
	private final Map<Method, Resolved> firstResolved = new ConcurrentHashMap<>();

	private final ClassValue<Map<Method, Object>> operations = new ClassValue<>() {
		@Override
		protected Map<Method, Object> computeValue(Class<?> type) {
			return new ConcurrentHashMap<>();
		}
	};

	/**
	 * @param cacheManager supplies the manager whose caches the annotations name; called on first parse
	 * @param valueResolver resolves {@code ${…}} placeholders in duration attributes; {@code null} for none
	 */
	public TiercacheOperationSource(Supplier<TieredCacheManager> cacheManager,
			@Nullable StringValueResolver valueResolver) {
		this(cacheManager, () -> null, valueResolver);
	}

	/**
	 * @param cacheManager supplies the manager whose caches the annotations name; called on first parse
	 * @param writeBehindQueues supplies the queues of {@link WriteBehind} methods, or {@code null} when
	 * there are none (no Redis); called on first parse of such a method
	 * @param valueResolver resolves {@code ${…}} placeholders in duration attributes; {@code null} for none
	 */
	public TiercacheOperationSource(Supplier<TieredCacheManager> cacheManager,
			Supplier<@Nullable WriteBehindQueues> writeBehindQueues, @Nullable StringValueResolver valueResolver) {
		this.cacheManager = cacheManager;
		this.writeBehindQueues = writeBehindQueues;
		this.valueResolver = valueResolver;
	}

	/** The annotations this source reads. */
	static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(CacheAside.class, WriteBehind.class,
			WriteThrough.class,
			WriteThrough.List.class, WriteAround.class, WriteAround.List.class, CacheInvalidate.class,
			CacheInvalidate.List.class);

	/** Whether the method carries one of Tiercache's annotations, without parsing it. */
	public boolean isAnnotated(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		for (Class<? extends Annotation> type : ANNOTATIONS) {
			if (AnnotatedElementUtils.hasAnnotation(specific, type)
					|| (specific != method && AnnotatedElementUtils.hasAnnotation(method, type))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The operation for a method invoked on an instance of {@code targetClass}, or {@code null} if the
	 * method is not annotated.
	 * @throws IllegalStateException naming the method if the annotation cannot work
	 */
	@Nullable MethodOperation getOperation(Method method, Class<?> targetClass) {
		Resolved first = this.firstResolved.get(method);
		if (first != null && first.targetClass() == targetClass) {
			return first.operation();
		}
		MethodOperation operation = getOperationPerClass(method, targetClass);
		this.firstResolved.putIfAbsent(method, new Resolved(targetClass, operation));
		return operation;
	}

	private @Nullable MethodOperation getOperationPerClass(Method method, Class<?> targetClass) {
		Map<Method, Object> byMethod = this.operations.get(targetClass);
		Object operation = byMethod.get(method);
		if (operation == null) {
			MethodOperation parsed = parse(method, targetClass);
			operation = (parsed != null) ? parsed : NO_OPERATION;
			byMethod.put(method, operation);
		}
		return (operation != NO_OPERATION) ? (MethodOperation) operation : null;
	}

	private record Resolved(Class<?> targetClass, @Nullable MethodOperation operation) {
	}

	private @Nullable CacheAside findAnnotation(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		CacheAside annotation = AnnotatedElementUtils.findMergedAnnotation(specific, CacheAside.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, CacheAside.class);
		}
		return annotation;
	}

	private @Nullable MethodOperation parse(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		CacheAside aside = findAnnotation(method, targetClass);
		List<WriteOperation> writes = this.writeParser.parse(specific, targetClass);
		WriteBehind behind = AnnotatedElementUtils.findMergedAnnotation(specific, WriteBehind.class);
		if ((behind != null || !writes.isEmpty() || (aside != null && aside.batch()))
				&& KotlinDetector.isSuspendingFunction(specific)) {
			throw new IllegalStateException("Tiercache's write annotations and batch reads on " + specific
					+ " are not supported on a Kotlin suspend function (only @CacheAside is): the cache would be "
					+ "written before the function completes; call a plain function from it");
		}
		if (behind != null) {
			if (aside != null || !writes.isEmpty()) {
				throw new IllegalStateException("@WriteBehind on " + specific + " cannot be combined with other "
						+ "Tiercache annotations: the method runs later, from the queue; put them on separate methods");
			}
			return this.writeParser.writeBehind(behind, specific, targetClass, writeBehindQueues(specific));
		}
		if (aside != null && !writes.isEmpty()) {
			throw new IllegalStateException("@CacheAside on " + specific + " cannot be combined with " + writes
					+ ": a method either reads through the cache or writes; put them on separate methods");
		}
		if (aside != null) {
			return aside.batch() ? parseBatchRead(aside, specific, targetClass)
					: parseCacheAside(aside, specific, targetClass);
		}
		return writes.isEmpty() ? null : new WriteOperations(writes);
	}

	private CacheAsideOperation parseCacheAside(CacheAside annotation, Method specific, Class<?> targetClass) {
		TieredCache cache = resolveCache("CacheAside", annotation.cache(), specific);
		CacheAsideOperation.Result result;
		Type valueType;
		if (KotlinDetector.isSuspendingFunction(specific) || specific.getReturnType() == Mono.class) {
			result = CacheAsideOperation.Result.MONO;
			valueType = reactiveValueType(specific, targetClass);
		}
		else {
			Type returnType = resolvedReturnType(specific, targetClass);
			boolean optional = ResolvableType.forType(returnType).toClass() == Optional.class;
			result = optional ? CacheAsideOperation.Result.OPTIONAL : CacheAsideOperation.Result.VALUE;
			valueType = optional ? optionalElement(returnType) : returnType;
		}
		return new CacheAsideOperation(specific, cache, keyResolver("CacheAside", annotation.key(), specific),
				expression("CacheAside", "condition", annotation.condition(), specific, Set.of()),
				expression("CacheAside", "unless", annotation.unless(), specific, Set.of("result")),
				TagExpressions.parse(this, "CacheAside", annotation.tags(), specific, Set.of("result")), valueType,
				result, entrySettings(annotation, cache.settings(), specific));
	}

	/**
	 * What a {@code Mono<T>} method, or a Kotlin {@code suspend} function returning {@code T} (which Spring
	 * AOP proceeds with as a {@code Mono<T>}), caches: {@code T}, resolved against the bean's class.
	 */
	private static Type reactiveValueType(Method method, Class<?> targetClass) {
		boolean suspending = KotlinDetector.isSuspendingFunction(method);
		if (suspending && !(KotlinDetector.isKotlinReflectPresent()
				&& ClassUtils.isPresent(COROUTINES_REACTOR, method.getDeclaringClass().getClassLoader()))) {
			throw new IllegalStateException("@CacheAside on the suspend function " + method + " needs "
					+ "org.jetbrains.kotlinx:kotlinx-coroutines-reactor and org.jetbrains.kotlin:kotlin-reflect on the "
					+ "classpath, with which Spring AOP runs a suspend function as a Mono and reads its result type");
		}
		ResolvableType value = suspending
				? ResolvableType.forMethodParameter(new MethodParameter(method, -1).withContainingClass(targetClass))
				: ResolvableType.forMethodReturnType(method, targetClass).getGeneric(0);
		Class<?> raw = value.toClass();
		if (raw == Void.class || raw == void.class || raw.getName().equals("kotlin.Unit")) {
			throw new IllegalStateException("@CacheAside on " + method + " cannot cache a method whose result is "
					+ "empty; use @CacheInvalidate for methods that change data");
		}
		if (ValueTypes.isAsynchronous(raw) || raw.getName().equals(KOTLIN_FLOW)) {
			throw new IllegalStateException("@CacheAside on " + method + " yields a " + raw.getName()
					+ ", which cannot be cached: return a Mono of the value, or the value from a suspend function");
		}
		return ValueTypes.concrete(value);
	}

	private BatchReadOperation parseBatchRead(CacheAside annotation, Method specific, Class<?> targetClass) {
		TieredCache cache = resolveCache("CacheAside", annotation.cache(), specific);
		if (!annotation.key().isBlank()) {
			throw new IllegalStateException("@CacheAside(batch = true) on " + specific
					+ " takes no key: each id of its collection parameter is a key of the cache");
		}
		if (annotation.tags().length > 0) {
			throw new IllegalStateException("@CacheAside(batch = true) on " + specific + " cannot tag its values; "
					+ "tag them with a single-key @CacheAside, or TieredCache.put(key, value, tags)");
		}
		Class<?>[] parameters = specific.getParameterTypes();
		if (parameters.length != 1 || !BATCH_ID_TYPES.contains(parameters[0])) {
			throw new IllegalStateException("@CacheAside(batch = true) on " + specific
					+ " must take one parameter, its ids, declared as a Collection, a List or a Set");
		}
		ResolvableType returned = ResolvableType.forMethodReturnType(specific, targetClass);
		Class<?> raw = returned.toClass();
		if (raw != Map.class && raw != List.class) {
			throw new IllegalStateException("@CacheAside(batch = true) on " + specific + " returns " + returned
					+ "; a batch method returns a Map of values by id, or a List of values in the ids' order");
		}
		BatchReadOperation.Result result = (raw == Map.class) ? BatchReadOperation.Result.MAP
				: BatchReadOperation.Result.LIST;
		Type valueType = elementType(returned.getGeneric((raw == Map.class) ? 1 : 0));
		CacheSettings entrySettings = entrySettings(annotation, cache.settings(), specific);
		return new BatchReadOperation(specific, cache, cache.reads(valueType, entrySettings),
				expression("CacheAside", "condition", annotation.condition(), specific, Set.of()),
				expression("CacheAside", "unless", annotation.unless(), specific, Set.of("result")),
				parameters[0] == Set.class, result);
	}

	/**
	 * A type argument of a batch method's result, as values are decoded: its class (a wildcard's bound)
	 * if it is a wildcard or has type variables.
	 */
	private static Type elementType(ResolvableType argument) {
		if (argument.resolve() == null) {
			return Object.class;
		}
		Type type = argument.getType();
		return (type instanceof WildcardType || ValueTypes.containsTypeVariable(type)) ? argument.toClass() : type;
	}

	private WriteBehindQueues writeBehindQueues(Method method) {
		WriteBehindQueues queues = this.writeBehindQueues.get();
		if (queues == null) {
			throw new IllegalStateException("@WriteBehind on " + method + " needs Redis for its queue, but no "
					+ "RedisConnectionFactory is configured; configure 'spring.data.redis.*' or use @WriteThrough");
		}
		return queues;
	}

	/**
	 * The write-behind operations of a bean class's methods, parsed.
	 * @throws IllegalStateException naming the method if one cannot work
	 */
	List<WriteBehindOperation> writeBehindOperations(Class<?> targetClass) {
		List<WriteBehindOperation> found = new ArrayList<>();
		ReflectionUtils.doWithMethods(targetClass, (method) -> {
			if (getOperation(method, targetClass) instanceof WriteBehindOperation operation && !found.contains(operation)) {
				found.add(operation);
			}
		}, (method) -> AnnotatedElementUtils.hasAnnotation(method, WriteBehind.class));
		return found;
	}

	/**
	 * The cache an annotation names.
	 * @throws IllegalStateException naming the annotation and method if there is none of that name
	 */
	TieredCache resolveCache(String annotation, String name, Method method) {
		TieredCacheManager manager = this.cacheManager.get();
		try {
			return manager.getTieredCache(name);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@" + annotation + "(cache = \"" + name + "\") on " + method + ": "
					+ ex.getMessage(), ex);
		}
	}

	private static Type resolvedReturnType(Method method, Class<?> targetClass) {
		Class<?> raw = method.getReturnType();
		if (raw == void.class || raw == Void.class) {
			throw new IllegalStateException("@CacheAside on " + method
					+ " cannot cache a method that returns nothing; use @CacheInvalidate for methods that change data");
		}
		if (ValueTypes.isAsynchronous(raw)) {
			throw new IllegalStateException("@CacheAside on " + method + " returns " + raw.getName()
					+ "; of the asynchronous results only a Mono (or a Kotlin suspend function) is supported: return "
					+ "a Mono or the value itself");
		}
		if (raw.isPrimitive()) {
			return ClassUtils.resolvePrimitiveIfNecessary(raw);
		}
		Type generic = method.getGenericReturnType();
		if (!ValueTypes.containsTypeVariable(generic)) {
			return generic;
		}
		return ResolvableType.forMethodReturnType(method, targetClass).toClass();
	}

	private static Type optionalElement(Type optionalType) {
		if (optionalType instanceof ParameterizedType parameterized) {
			return parameterized.getActualTypeArguments()[0];
		}
		return Object.class;
	}

	KeyResolver keyResolver(String annotation, String key, Method method) {
		if (key.isBlank()) {
			if (KotlinDetector.isSuspendingFunction(method)) {
				// its last parameter is the coroutine's continuation, a new one on every call
				KeyResolver own = (method.getParameterCount() == 2) ? KeyResolver.ONLY_PARAMETER
						: KeyResolver.ALL_PARAMETERS;
				return KeyResolver.withoutLastArgument(own);
			}
			return (method.getParameterCount() == 1) ? KeyResolver.ONLY_PARAMETER : KeyResolver.ALL_PARAMETERS;
		}
		int index = MethodExpression.parameterIndex(key, method, this.parameterNames);
		if (index >= 0) {
			return KeyResolver.parameter(index, annotation, key);
		}
		MethodExpression expression = MethodExpression.parse(annotation, "key", key, method, Set.of(),
				this.parameterNames);
		return (calledMethod, arguments, target) -> {
			Object value = expression.evaluate(arguments, target, false, null);
			if (value == null) {
				throw KeyResolver.nullKey(annotation, calledMethod, key);
			}
			return value;
		};
	}

	/**
	 * Whether a method of one parameter is keyed by that parameter itself: its key expression is blank,
	 * or names the parameter alone ({@code #id}, {@code #p0}); so that a key read back from Redis is the
	 * argument to call it with.
	 */
	public boolean keyedByItsParameter(Method method, String key) {
		return method.getParameterCount() == 1
				&& (key.isBlank() || MethodExpression.parameterIndex(key, method, this.parameterNames) == 0);
	}

	ParameterNameDiscoverer parameterNames() {
		return this.parameterNames;
	}

	@Nullable MethodExpression expression(String annotation, String attribute, String text, Method method,
			Set<String> extraVariables) {
		return text.isBlank() ? null
				: MethodExpression.parse(annotation, attribute, text, method, extraVariables, this.parameterNames);
	}

	/** The cache's settings with the annotation's attributes laid over them. */
	private CacheSettings entrySettings(CacheAside annotation, CacheSettings settings, Method method) {
		CacheSettings.Overrides overrides = new CacheSettings.Overrides(null, duration("ttl", annotation.ttl(), method),
				percentage(annotation.ttlJitter(), method), duration("nullTtl", annotation.nullTtl(), method), null, null,
				null, null, number("refreshAhead", annotation.refreshAhead(), method),
				duration("staleWhileRevalidate", annotation.staleWhileRevalidate(), method),
				number("earlyExpiryBeta", annotation.earlyExpiryBeta(), method),
				duration("failSafe", annotation.failSafe(), method));
		try {
			return settings.with(overrides);
		}
		catch (InvalidSettingException ex) {
			throw new IllegalStateException("@CacheAside(" + ATTRIBUTES.get(ex.getSetting()) + " = \"" + ex.getValue()
					+ "\") on " + method + ": " + ex.getReason(), ex);
		}
	}

	/**
	 * An attribute's text with its placeholders resolved.
	 * @throws IllegalStateException naming the attribute and the method if a placeholder cannot be resolved
	 */
	private String resolve(String attribute, String text, Method method) {
		StringValueResolver resolver = this.valueResolver;
		String resolved;
		try {
			resolved = (resolver != null && !text.isEmpty()) ? resolver.resolveStringValue(text) : text;
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@CacheAside(" + attribute + " = \"" + text + "\") on " + method + ": "
					+ ex.getMessage() + "; define the property, or give the placeholder a default such as \"${name:10m}\"",
					ex);
		}
		return (resolved != null) ? resolved.strip() : "";
	}

	/** An attribute's duration, placeholders resolved; {@code null} if the attribute is not set. */
	private @Nullable Duration duration(String attribute, String value, Method method) {
		String text = resolve(attribute, value, method);
		if (text.isEmpty()) {
			return null;
		}
		try {
			return DurationFormatterUtils.detectAndParse(text);
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			throw new IllegalStateException("@CacheAside(" + attribute + " = \"" + text + "\") on " + method
					+ " is not a duration; use a value such as \"10m\", \"30s\" or \"PT10M\"", ex);
		}
	}

	private @Nullable Double number(String attribute, String value, Method method) {
		String text = resolve(attribute, value, method);
		if (text.isEmpty()) {
			return null;
		}
		try {
			return Double.parseDouble(text);
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException("@CacheAside(" + attribute + " = \"" + text + "\") on " + method
					+ " is not a number; use a value such as \"0.8\"", ex);
		}
	}

	private @Nullable Integer percentage(String value, Method method) {
		String text = resolve("ttlJitter", value, method);
		if (text.isEmpty()) {
			return null;
		}
		try {
			return Integer.parseInt(text);
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException("@CacheAside(ttlJitter = \"" + text + "\") on " + method
					+ " must be a whole percentage between 0 and 100", ex);
		}
	}

}
