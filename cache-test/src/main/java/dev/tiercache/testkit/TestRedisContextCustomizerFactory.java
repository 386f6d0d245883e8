package dev.tiercache.testkit;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Adds the kit's beans to the context of a test class with {@link AutoConfigureTestRedis}: the test
 * Redis's connection details (primary, over any other), and {@link TestCaches}; and a key prefix of the
 * context's own ({@code tiercache.key-prefix}, at the lowest precedence, so that one the test or the
 * application sets wins), so that contexts kept in Spring's context cache, whose write-behind flushers
 * still run, never share a queue or an entry with this one. Registered in
 * {@code META-INF/spring.factories}.
 */
final class TestRedisContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return TestContextAnnotationUtils.hasAnnotation(testClass, AutoConfigureTestRedis.class)
				? new TestRedisContextCustomizer() : null;
	}

	/** Registers the beans; every instance is equal, so that contexts are cached across test classes. */
	private static final class TestRedisContextCustomizer implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			if (!(context instanceof BeanDefinitionRegistry registry)) {
				throw new IllegalStateException("@AutoConfigureTestRedis needs an application context that takes "
						+ "bean definitions, not a " + context.getClass().getName());
			}
			RootBeanDefinition connectionDetails = new RootBeanDefinition(TestRedisConnectionDetails.class,
					TestRedisConnectionDetails::new);
			connectionDetails.setPrimary(true);
			registry.registerBeanDefinition("tiercacheTestRedisConnectionDetails", connectionDetails);
			RootBeanDefinition caches = new RootBeanDefinition(TestCaches.class);
			caches.setAutowireMode(RootBeanDefinition.AUTOWIRE_CONSTRUCTOR);
			registry.registerBeanDefinition("tiercacheTestCaches", caches);
			context.getEnvironment().getPropertySources().addLast(new MapPropertySource("tiercacheTestKeyPrefix",
					Map.of("tiercache.key-prefix", "test-" + UUID.randomUUID().toString().substring(0, 8))));
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other != null && other.getClass() == getClass();
		}

		@Override
		public int hashCode() {
			return getClass().hashCode();
		}

	}

}
