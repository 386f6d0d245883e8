package dev.tiercache.autoconfigure.warming;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a bean as the warmer of one of its {@code @CacheAside} methods: once the
 * application is ready, Tiercache calls it and, for each element it yields, calls the cached method
 * with that element as its argument (an {@code Object[]} holds the arguments of a method of several
 * parameters), through the bean's proxy: the normal read path, so a key already cached is a hit, a
 * missing one is loaded once across instances and put in L1 and Redis. The calls run in the
 * background, at most {@code tiercache.warming.concurrency} at a time; their progress is logged and
 * shown by the {@code tiercache} Actuator endpoint. A call that fails is counted and logged, and warming
 * goes on.
 * <pre>{@code
 * @CacheAside(cache = "products", key = "#id")
 * public Product find(long id) { ... }
 *
 * @CacheWarmer(cache = "products")
 * public List<Long> bestSellers() { return repository.bestSellerIds(500); }
 * }</pre>
 * The annotated method takes no parameters and returns an {@code Iterable}, a {@code Stream} or an array.
 * A warmer that does not fit (parameters, another return type, no single {@code @CacheAside} method of
 * the cache in its class) fails start-up, saying why.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CacheWarmer {

	/** The cache warmed: one of the bean's {@code @CacheAside} methods caches into it. */
	String cache();

	/**
	 * The name of the {@code @CacheAside} method to call, when the bean has several for the cache; by
	 * default the only one.
	 */
	String method() default "";

}
