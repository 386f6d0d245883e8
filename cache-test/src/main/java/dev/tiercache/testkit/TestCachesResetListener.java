package dev.tiercache.testkit;

import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Before each test method of a class with {@link AutoConfigureTestRedis} (and
 * {@link AutoConfigureTestRedis#clearCaches() clearCaches}), {@linkplain TestCaches#reset() resets}
 * the caches. Registered in {@code META-INF/spring.factories}; runs after dependency injection and
 * before a test-managed transaction begins (so that the clears are not bound to it).
 */
final class TestCachesResetListener extends AbstractTestExecutionListener {

	@Override
	public int getOrder() {
		return 3500;
	}

	@Override
	public void beforeTestMethod(TestContext testContext) {
		AutoConfigureTestRedis annotation = TestContextAnnotationUtils
			.findMergedAnnotation(testContext.getTestClass(), AutoConfigureTestRedis.class);
		if (annotation != null && annotation.clearCaches()) {
			testContext.getApplicationContext().getBean(TestCaches.class).reset();
		}
	}

}
