package dev.tiercache.test;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.tier.TieredCacheManager;

import static org.awaitility.Awaitility.await;

/**
 * The Redis server tests share, found once per JVM: the address in {@code TIERCACHE_REDIS_URL} if
 * set; otherwise a Testcontainers Redis where a Docker engine answers; otherwise a Redis server
 * started from the embedded-redis jar. Tests never skip for want of Redis. Tests sharing it isolate
 * themselves with {@link #uniquePrefix()} and never flush it.
 */
public final class TestRedis {

	private static final String URL_VARIABLE = "TIERCACHE_REDIS_URL";

	private static final String TOPOLOGY_PROPERTY = "tiercache.test.topology";

	private static volatile URI uri;

	private static @Nullable RedisCluster cluster;

	private TestRedis() {
	}

	/** The shared server's address, {@code redis://host:port}. */
	public static synchronized URI uri() {
		if (uri == null) {
			uri = locate();
		}
		return uri;
	}

	public static String host() {
		return uri().getHost();
	}

	public static int port() {
		return uri().getPort();
	}

	/**
	 * A new, started Lettuce connection factory for the shared server, or for the shared cluster when
	 * the tests run on one ({@link #onCluster()}); the caller destroys it.
	 */
	public static LettuceConnectionFactory connectionFactory() {
		return onCluster() ? cluster().connectionFactory() : connectionFactory(host(), port());
	}

	/**
	 * Spring Boot's properties that point an application at the shared server ({@code host} and
	 * {@code port}), or at the shared cluster ({@code spring.data.redis.cluster.nodes}) when the tests
	 * run on one.
	 */
	public static String[] springProperties() {
		if (!onCluster()) {
			return new String[] { "spring.data.redis.host=" + host(), "spring.data.redis.port=" + port() };
		}
		return new String[] { cluster().springProperty() };
	}

	/**
	 * Whether the tests that take their Redis from {@link #connectionFactory()} or
	 * {@link #springProperties()} run on a Redis Cluster ({@link RedisCluster}: three primaries, each
	 * with a replica, started once per JVM) rather than on the shared server: when the system property
	 * {@value #TOPOLOGY_PROPERTY} is {@code cluster}, as the build's {@code cluster} test run sets it.
	 * The tests that name the shared server's host and port, or a server of their own, are unchanged.
	 */
	public static boolean onCluster() {
		return "cluster".equals(System.getProperty(TOPOLOGY_PROPERTY));
	}

	private static synchronized RedisCluster cluster() {
		if (cluster == null) {
			RedisCluster started = RedisCluster.start();
			Runtime.getRuntime().addShutdownHook(new Thread(started::close));
			cluster = started;
		}
		return cluster;
	}

	/** A new, started Lettuce connection factory for a given server; the caller destroys it. */
	public static LettuceConnectionFactory connectionFactory(String host, int port) {
		return connectionFactory(host, port, null);
	}

	/**
	 * A new, started Lettuce connection factory for the test Redis that speaks RESP2, as clients and
	 * proxies without RESP3 do; the caller destroys it.
	 */
	public static LettuceConnectionFactory resp2ConnectionFactory() {
		return resp2ConnectionFactory(host(), port());
	}

	/** A new, started Lettuce connection factory for a given server that speaks RESP2; the caller destroys it. */
	public static LettuceConnectionFactory resp2ConnectionFactory(String host, int port) {
		return connectionFactory(host, port, ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
	}

	private static LettuceConnectionFactory connectionFactory(String host, int port, @Nullable ClientOptions options) {
		return started(new RedisStandaloneConfiguration(host, port), options);
	}

	/** A new, started Lettuce connection factory, configured as every test's is; the caller destroys it. */
	static LettuceConnectionFactory started(RedisConfiguration configuration, @Nullable ClientOptions options) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofSeconds(5));
		if (options != null) {
			client.clientOptions(options);
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration, client.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Waits until a manager that follows changes through {@code CLIENT TRACKING} has made the L1 clear that
	 * follows the set-up of its connection (in the background, just after), so that a test's first reads
	 * are not cleared from L1 after they filled it. Nothing to wait for with the pub/sub fallback, or
	 * while Redis could not be reached.
	 */
	public static void awaitStartupResynchronization(TieredCacheManager manager) {
		if (manager.coherenceMode() == CoherenceMode.TRACKING) {
			await("the start-up L1 clear").atMost(Duration.ofSeconds(10))
				.until(() -> manager.l1Resynchronizations() > 0);
		}
	}

	/** A key prefix no other test uses. */
	public static String uniquePrefix() {
		return "test-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private static URI locate() {
		String configured = System.getenv(URL_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			return URI.create(configured.strip());
		}
		if (dockerAvailable()) {
			GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
			return URI.create("redis://" + container.getHost() + ":" + container.getMappedPort(6379));
		}
		EmbeddedRedis embedded = EmbeddedRedis.start();
		Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
		return URI.create("redis://127.0.0.1:" + embedded.port());
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

}
