package dev.tiercache.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Marks a test that needs the shared Redis as one server (it injects faults through a proxy in front
 * of it, or points an application at its host and port): it runs in the build's default test run, and
 * is left out of the run on a cluster ({@link TestRedis#onCluster()}), which excludes the tag
 * {@value #TAG}.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(SingleServer.TAG)
public @interface SingleServer {

	/** The JUnit tag of such tests. */
	String TAG = "single-server";

}
