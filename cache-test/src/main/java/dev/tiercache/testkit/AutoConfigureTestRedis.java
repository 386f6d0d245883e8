package dev.tiercache.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Points a Spring Boot test's application at the {@linkplain TestRedisServer test Redis} and gives each
 * test clean caches: put it next to {@code @SpringBootTest}.
 * <ul>
 * <li>The context gets a {@code DataRedisConnectionDetails} bean for the shared test server, as
 * {@code @ServiceConnection} gives one for a container, so Boot's Redis connection factory, and with it
 * Tiercache's L2, use that server whatever {@code spring.data.redis.*} says.</li>
 * <li>Before each test method, when {@link #clearCaches()} is on (the default), the write-behind queues are
 * waited for until empty (their writes applied, or dead-lettered), then every cache of the context's
 * {@code TieredCacheManager} is cleared, on every instance and in Redis, as {@code Cache.clear()}
 * does.</li>
 * <li>{@link TestCaches}, a bean of the context, gives the caches' stats counted from the start of the
 * current test, for {@link TiercacheAssertions}.</li>
 * </ul>
 * Test classes with this annotation and the same configuration share one cached context, as Spring's
 * test context framework caches any.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureTestRedis {

	/**
	 * Whether each test method starts with empty write-behind queues and cleared caches, and its stats
	 * counted from zero.
	 */
	boolean clearCaches() default true;

}
