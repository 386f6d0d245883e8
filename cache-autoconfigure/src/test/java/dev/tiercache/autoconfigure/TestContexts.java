package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.test.TestRedis;

/**
 * Starts Spring Boot application contexts against the shared test Redis, all with one key prefix of
 * their own, as instances of one application would run, and closes them at the end.
 */
final class TestContexts implements AutoCloseable {

	final String prefix = TestRedis.uniquePrefix();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	/**
	 * @param shared singletons registered in the context before refresh (test probes shared by all
	 * instances)
	 */
	ConfigurableApplicationContext start(Class<?> application, Map<String, Object> shared, String... properties) {
		SpringApplicationBuilder builder = new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
					"tiercache.key-prefix=" + this.prefix, "tiercache.cache-names=books,pages,owners,external",
					"spring.main.banner-mode=off")
			.properties(properties)
			.initializers((context) -> shared.forEach(context.getBeanFactory()::registerSingleton));
		ConfigurableApplicationContext context = builder.run();
		this.contexts.add(context);
		return context;
	}

	@Override
	public void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

}
