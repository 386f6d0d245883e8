package dev.tiercache.interceptor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.strategy.CacheWriteScheduler;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.writebehind.WriteBehindMethod;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindUnavailableException;

/**
 * A {@link WriteBehind} method, parsed once: a call writes the value and queues itself, returning
 * without running the method. A call that cannot be queued (its arguments cannot be encoded) runs the
 * method and evicts the key, but only while no write of its key is queued; otherwise, and whenever
 * Redis cannot take the entry, it throws {@link WriteBehindUnavailableException} without running the
 * method, which would write around the key's queued writes. The flusher applies queued calls through
 * the bean (so that its other advice, such as {@code @Transactional}, applies), with a flag that lets
 * that one call through. Thread-safe once {@linkplain #bind bound} to its bean at start-up.
 */
final class WriteBehindOperation implements MethodOperation, WriteBehindMethod {

	private static final Log logger = LogFactory.getLog(WriteBehindOperation.class);

	/** The operation whose queued call this thread is applying: the interceptor lets it run. */
	private static final ThreadLocal<@Nullable WriteBehindOperation> APPLYING = new ThreadLocal<>();

	private final String id;

	private final Method method;

	private final TieredCache cache;

	private final KeyResolver key;

	private final ValueOf value;

	private final Type valueType;

	private final @Nullable MethodExpression condition;

	private final Type[] parameterTypes;

	private final @Nullable Method batchMethod;

	private final WriteBehindQueues queues;

	private final CacheWriteScheduler scheduler;

	private volatile @Nullable BeanFactory beanFactory;

	private volatile @Nullable String beanName;

	/** The bean and its methods as callable on it, resolved on the first queued call applied. */
	private volatile @Nullable Target target;

	WriteBehindOperation(Method method, Class<?> targetClass, TieredCache cache, KeyResolver key, ValueOf value,
			Type valueType, @Nullable MethodExpression condition, Type[] parameterTypes, @Nullable Method batchMethod,
			WriteBehindQueues queues, CacheWriteScheduler scheduler) {
		this.id = ClassUtils.getUserClass(targetClass).getName() + "#" + method.getName()
				+ Arrays.stream(method.getParameterTypes()).map(Class::getName).collect(Collectors.joining(",", "(", ")"));
		this.method = method;
		this.cache = cache;
		this.key = key;
		this.value = value;
		this.valueType = valueType;
		this.condition = condition;
		this.parameterTypes = parameterTypes;
		this.batchMethod = batchMethod;
		this.queues = queues;
		this.scheduler = scheduler;
	}

	/**
	 * Ties the operation to the bean it is applied through and registers it with its queue.
	 * @throws IllegalStateException if another bean of the same class registered it first
	 */
	synchronized void bind(String beanName, BeanFactory beanFactory) {
		String bound = this.beanName;
		if (bound != null && !bound.equals(beanName)) {
			throw new IllegalStateException("@WriteBehind on " + this.method + " is declared by beans '" + bound
					+ "' and '" + beanName + "' of the same class; queued calls must name one bean to run on, so only "
					+ "one bean per class may declare @WriteBehind methods");
		}
		this.beanName = beanName;
		this.beanFactory = beanFactory;
		if (bound == null) {
			this.queues.register(this);
		}
	}

	/**
	 * The call: queued, or, if it cannot be queued and no write of its key is, run now with its key
	 * evicted.
	 * @throws WriteBehindUnavailableException if it was neither queued nor run
	 */
	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		if (APPLYING.get() == this) {
			APPLYING.remove();
			return invocation.proceed();
		}
		@Nullable Object[] arguments = invocation.getArguments();
		Object target = invocation.getThis();
		MethodExpression expression = this.condition;
		if (expression != null && !expression.test(arguments, target, false, null)) {
			return invocation.proceed();
		}
		Object key = this.key.resolve(this.method, arguments, target);
		Object written = this.value.of(arguments, target);
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			// refused now, while the transaction can still roll back, rather than at its commit
			this.queues.requireQueueing();
			@Nullable Object[] copy = arguments.clone();
			this.scheduler.schedule(this.cache, key, () -> queueAfterCommit(key, written, copy));
			return null;
		}
		if (this.queues.enqueue(this, key, written, this.valueType, arguments)) {
			return null;
		}
		Object result = invocation.proceed();
		this.cache.evict(key);
		return result;
	}

	/**
	 * Queues a call whose transaction committed (the scheduler revoked the key's loads at the call, and
	 * queues nothing on rollback). If it cannot be queued and no write of its key is, the method runs
	 * now and the key is evicted, on a thread of its own and joined: this thread still holds the finished
	 * transaction's resources, where the method's writes would join a transaction that no longer commits.
	 *
	 * <p>If the call is refused ({@link WriteBehindUnavailableException}: Redis cannot take it, or a write
	 * of its key is queued), the write is logged at ERROR as not applied (naming the method, the key and
	 * whether it may have been queued after all) and not thrown: the transaction cannot be undone, and an
	 * exception thrown from {@code afterCommit} would keep the synchronizations after this one from
	 * running theirs (Spring's own after-commit event listeners are handled the same way).
	 */
	private void queueAfterCommit(Object key, @Nullable Object written, @Nullable Object[] arguments) {
		try {
			if (this.queues.enqueue(this, key, written, this.valueType, arguments)) {
				return;
			}
		}
		catch (WriteBehindUnavailableException ex) {
			logger.error("A transaction committed, but its @WriteBehind write " + (ex.mayHaveBeenQueued()
					? "may not be applied: " : "is not applied: ") + ex.getMessage(), ex);
			return;
		}
		catch (RuntimeException ex) {
			logger.error("A transaction committed, but its @WriteBehind write of " + this.id + " for key '" + key
					+ "' is not applied: " + ex.getMessage(), ex);
			return;
		}
		Thread run = new Thread(() -> {
			try {
				apply(arguments);
				this.cache.evict(key);
			}
			catch (Throwable ex) {
				logger.error("Tiercache could neither queue nor run " + this.id + " for key '" + key
						+ "' after its transaction committed; the write is lost", ex);
			}
		}, "tiercache-writebehind-after-commit");
		run.start();
		try {
			run.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public TieredCache cache() {
		return this.cache;
	}

	@Override
	public Type[] parameterTypes() {
		return this.parameterTypes.clone();
	}

	@Override
	public void apply(@Nullable Object[] arguments) throws Throwable {
		Target bound = target();
		APPLYING.set(this);
		try {
			invoke(bound.method(), bound.bean(), arguments);
		}
		finally {
			APPLYING.remove();
		}
	}

	@Override
	public boolean hasBatchMethod() {
		return this.batchMethod != null;
	}

	@Override
	public void applyBatch(List<@Nullable Object[]> calls) throws Throwable {
		Target bound = target();
		Method batch = bound.batchMethod();
		if (batch == null) {
			throw new IllegalStateException(this.method + " has no batch method");
		}
		List<@Nullable Object> values = new ArrayList<>(calls.size());
		for (@Nullable Object[] arguments : calls) {
			values.add(arguments[0]);
		}
		invoke(batch, bound.bean(), new Object[] { values });
	}

	private Target target() {
		Target bound = this.target;
		if (bound != null) {
			return bound;
		}
		BeanFactory factory = this.beanFactory;
		String name = this.beanName;
		if (factory == null || name == null) {
			throw new IllegalStateException("@WriteBehind on " + this.method + " is not bound to a bean");
		}
		Object bean = factory.getBean(name);
		Method batch = this.batchMethod;
		bound = new Target(bean, callable(this.method, bean), (batch != null) ? callable(batch, bean) : null);
		this.target = bound;
		return bound;
	}

	/** The method as it can be called on the bean, which may be a JDK proxy exposing only interfaces. */
	private static Method callable(Method method, Object bean) {
		Method callable = ClassUtils.getInterfaceMethodIfPossible(method, bean.getClass());
		Method chosen = callable.getDeclaringClass().isInstance(bean) ? callable : method;
		ReflectionUtils.makeAccessible(chosen);
		return chosen;
	}

	private static void invoke(Method method, Object bean, @Nullable Object[] arguments) throws Throwable {
		try {
			method.invoke(bean, arguments);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	/** The bean queued calls are applied through, and its methods. */
	private record Target(Object bean, Method method, @Nullable Method batchMethod) {
	}

	@Override
	public String toString() {
		return "@WriteBehind(cache = " + this.cache.getName() + ") on " + this.id;
	}

	/** Computes the value a call writes. */
	@FunctionalInterface
	interface ValueOf {

		@Nullable Object of(@Nullable Object[] arguments, @Nullable Object target);

	}

}
