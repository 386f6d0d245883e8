package dev.tiercache.benchmarks;

import java.net.URI;

import dev.tiercache.test.TestRedis;

/**
 * The Redis the benchmarks use, found as the tests find theirs ({@code TIERCACHE_REDIS_URL}, then
 * Testcontainers, then an embedded server). The runner resolves it once and hands the address to
 * JMH's forked JVMs in the system property {@value #PROPERTY}, so every fork talks to the same server.
 */
final class BenchRedis {

	static final String PROPERTY = "tiercache.bench.redis";

	private BenchRedis() {
	}

	static URI uri() {
		String handed = System.getProperty(PROPERTY);
		return (handed != null) ? URI.create(handed) : TestRedis.uri();
	}

}
