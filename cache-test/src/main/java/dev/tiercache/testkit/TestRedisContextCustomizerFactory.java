package dev.tiercache.testkit;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Adds the kit's beans to the context of a test class with {@link AutoConfigureTestRedis}: the test
 * Redis's connection details, and {@link TestCaches}. Registered in {@code META-INF/spring.factories}.
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
			registry.registerBeanDefinition("tiercacheTestRedisConnectionDetails",
					new RootBeanDefinition(TestRedisConnectionDetails.class, TestRedisConnectionDetails::new));
			RootBeanDefinition caches = new RootBeanDefinition(TestCaches.class);
			caches.setAutowireMode(RootBeanDefinition.AUTOWIRE_CONSTRUCTOR);
			registry.registerBeanDefinition("tiercacheTestCaches", caches);
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
