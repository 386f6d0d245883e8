/**
 * A test kit for applications' own tests: a real Redis for the test context
 * ({@link dev.tiercache.testkit.AutoConfigureTestRedis}), clean caches between tests, and AssertJ
 * assertions over the caches' stats ({@link dev.tiercache.testkit.TiercacheAssertions}).
 */
@NullMarked
package dev.tiercache.testkit;

import org.jspecify.annotations.NullMarked;
