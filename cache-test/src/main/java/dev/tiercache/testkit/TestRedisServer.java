package dev.tiercache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;

import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

/**
 * The Redis server that the tests of one JVM share, found on first use and kept until the JVM exits:
 * <ol>
 * <li>the server at {@value #URL_VARIABLE} (an environment variable, or a system property of the same
 * name), {@code redis://[[user]:password@]host[:port][/database]}, when it is set;</li>
 * <li>otherwise a Testcontainers Redis ({@value #IMAGE}) where a Docker engine answers and it starts;</li>
 * <li>otherwise a {@code redis-server} process started from the binaries inside the embedded-redis jar,
 * on a free port of 127.0.0.1, with persistence off.</li>
 * </ol>
 * A server the kit started is stopped when the JVM exits. Tests never skip for want of Redis: when no
 * server can be had, {@link #shared()} throws, saying what was tried. Thread-safe.
 */
public final class TestRedisServer {

	/** The environment variable (or system property) naming a running Redis to use. */
	public static final String URL_VARIABLE = "TIERCACHE_TEST_REDIS_URL";

	/** The image of the Testcontainers Redis. */
	public static final String IMAGE = "redis:7-alpine";

	private static final int EMBEDDED_START_ATTEMPTS = 5;

	private static @Nullable TestRedisServer shared;

	private final String host;

	private final int port;

	private final @Nullable String username;

	private final @Nullable String password;

	private final int database;

	private final String origin;

	private TestRedisServer(String host, int port, @Nullable String username, @Nullable String password,
			int database, String origin) {
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
		this.database = database;
		this.origin = origin;
	}

	private TestRedisServer(String host, int port, String origin) {
		this(host, port, null, null, 0, origin);
	}

	/**
	 * The server of this JVM's tests, found or started on the first call.
	 * @throws IllegalStateException if {@value #URL_VARIABLE} is not a {@code redis://} URL, or no
	 * server could be started
	 */
	public static synchronized TestRedisServer shared() {
		if (shared == null) {
			shared = locate();
		}
		return shared;
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	public @Nullable String username() {
		return this.username;
	}

	public @Nullable String password() {
		return this.password;
	}

	public int database() {
		return this.database;
	}

	@Override
	public String toString() {
		return "Redis at " + host() + ":" + port() + " (" + this.origin + ")";
	}

	private static TestRedisServer locate() {
		String configured = configuredUrl();
		if (configured != null) {
			return parse(configured);
		}
		RuntimeException containerFailure = null;
		if (dockerAnswers()) {
			GenericContainer<?> container = new GenericContainer<>(IMAGE).withExposedPorts(6379);
			try {
				container.start();
				Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "tiercache-test-redis-stop"));
				return new TestRedisServer(container.getHost(), container.getMappedPort(6379),
						"Testcontainers, " + IMAGE);
			}
			catch (RuntimeException ex) {
				// the image cannot be pulled, say: the embedded server serves instead
				containerFailure = ex;
			}
		}
		try {
			return startEmbedded();
		}
		catch (IllegalStateException ex) {
			if (containerFailure != null) {
				ex.addSuppressed(containerFailure);
			}
			throw ex;
		}
	}

	private static @Nullable String configuredUrl() {
		String value = System.getProperty(URL_VARIABLE, System.getenv(URL_VARIABLE));
		return (value != null && !value.isBlank()) ? value.strip() : null;
	}

	/** Reads {@code redis://[[user]:password@]host[:port][/database]}. */
	static TestRedisServer parse(String url) {
		URI uri;
		try {
			uri = new URI(url);
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(URL_VARIABLE + " is not a URL: '" + url + "'", ex);
		}
		if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
			throw new IllegalStateException(URL_VARIABLE + " must be a redis://host:port URL (TLS, Sentinel and "
					+ "sockets are not supported by the test kit), not '" + url + "'");
		}
		String username = null;
		String password = null;
		String userInfo = uri.getUserInfo();
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			username = (colon > 0) ? userInfo.substring(0, colon) : null;
			password = (colon >= 0) ? userInfo.substring(colon + 1) : userInfo;
		}
		String path = (uri.getPath() != null) ? uri.getPath().replace("/", "") : "";
		int database;
		try {
			database = path.isEmpty() ? 0 : Integer.parseInt(path);
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException(URL_VARIABLE + " names database '" + path + "', not a number: '" + url
					+ "'", ex);
		}
		return new TestRedisServer(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379, username, password,
				database, URL_VARIABLE);
	}

	private static boolean dockerAnswers() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * Starts the embedded server on a free port; a port found free can be taken by another process before
	 * the server binds it, so the start is tried on another port, a few times.
	 */
	private static TestRedisServer startEmbedded() {
		IllegalStateException failure = new IllegalStateException("No Redis for the tests: " + URL_VARIABLE
				+ " is not set, no Redis container started, and the embedded redis-server did not start in "
				+ EMBEDDED_START_ATTEMPTS + " attempts (causes below). Set " + URL_VARIABLE
				+ "=redis://host:port to use a running Redis.");
		for (int attempt = 0; attempt < EMBEDDED_START_ATTEMPTS; attempt++) {
			try {
				int port = freePort();
				RedisServer server = RedisServer.newRedisServer()
					.bind("127.0.0.1")
					.port(port)
					.setting("save \"\"")
					.setting("appendonly no")
					.build();
				startOrStop(server);
				Runtime.getRuntime()
					.addShutdownHook(new Thread(() -> stopQuietly(server), "tiercache-test-redis-stop"));
				return new TestRedisServer("127.0.0.1", port, "embedded redis-server");
			}
			catch (IOException | UncheckedIOException ex) {
				failure.addSuppressed(ex);
			}
		}
		throw failure;
	}

	/** Starts the server, or stops what a failed start may have left running before rethrowing. */
	private static void startOrStop(RedisServer server) throws IOException {
		try {
			server.start();
		}
		catch (IOException | RuntimeException ex) {
			stopQuietly(server);
			throw ex;
		}
	}

	private static void stopQuietly(RedisServer server) {
		try {
			server.stop();
		}
		catch (IOException | RuntimeException ex) {
			// the process is gone, or goes with the JVM
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

}
