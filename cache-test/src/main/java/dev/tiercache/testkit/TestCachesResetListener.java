package dev.tiercache.testkit;

import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Before each test method of a class with {@link AutoConfigureTestRedis} (and
 * {@link AutoConfigureTestRedis#clearCaches() clearCaches}), {@linkplain TestCaches#reset() resets}
 * the caches. Registered in {@code META-INF/spring.factories}; runs after dependency injection and
 * before a test-managed transaction begins (so that the clears are not bound to it). When the reset
 * fails, the context is marked dirty, so that the next test class starts a new one rather than fail the
 * same way.
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
			try {
				testContext.getApplicationContext().getBean(TestCaches.class).reset();
			}
			catch (AssertionError | RuntimeException ex) {
				// a queue that does not empty, or Redis gone, would fail every later test of this context too
				testContext.markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
				throw ex;
			}
		}
	}

}
