package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.test.BoundedClose;
import dev.tiercache.test.TestRedis;

/**
 * Starts Spring Boot application contexts against the shared test Redis (or cluster, as
 * {@link TestRedis#springProperties()} says), all with one key prefix of
 * their own, as instances of one application would run, and closes them at the end.
 */
final class TestContexts implements AutoCloseable {

	private static final String REDIS_HOST = "spring.data.redis.host=";

	private static final String REDIS_PORT = "spring.data.redis.port=";

	final String prefix = TestRedis.uniquePrefix();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	/**
	 * @param shared singletons registered in the context before refresh (test probes shared by all
	 * instances)
	 */
	ConfigurableApplicationContext start(Class<?> application, Map<String, Object> shared, String... properties) {
		if (TestRedis.onCluster() && Arrays.stream(properties).anyMatch((property) -> property.startsWith(REDIS_HOST)
				|| property.startsWith(REDIS_PORT))) {
			throw new IllegalStateException("A test that points a context at a Redis server of its own would mix "
					+ "it with the cluster the other contexts run on: mark it @SingleServer");
		}
		SpringApplicationBuilder builder = new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties(TestRedis.springProperties())
			.properties("tiercache.key-prefix=" + this.prefix, "tiercache.cache-names=books,pages,owners,external",
					"spring.main.banner-mode=off")
			.properties(properties)
			.initializers((context) -> shared.forEach(context.getBeanFactory()::registerSingleton));
		ConfigurableApplicationContext context = builder.run();
		this.contexts.add(context);
		return context;
	}

	/** Closes every context, each within {@link BoundedClose#LIMIT}; then throws the first failure, if any. */
	@Override
	public void close() {
		Throwable first = null;
		for (ConfigurableApplicationContext context : this.contexts) {
			try {
				BoundedClose.run("application context " + context.getId(), context::close);
			}
			catch (RuntimeException | AssertionError ex) {
				first = (first != null) ? first : ex;
			}
		}
		if (first instanceof AssertionError hung) {
			throw hung;
		}
		if (first != null) {
			throw (RuntimeException) first;
		}
	}

}
