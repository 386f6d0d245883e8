package dev.tiercache.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import redis.embedded.RedisServer;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a Redis server from the embedded-redis jar when none answers at the configured address, and
 * points {@code spring.data.redis.*} at it. The server stops when the JVM exits. For the sample only:
 * a real deployment runs its own Redis.
 */
final class EmbeddedRedisFallback implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	private static final Log logger = LogFactory.getLog(EmbeddedRedisFallback.class);

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		String host = environment.getProperty("spring.data.redis.host", "localhost");
		int port = environment.getProperty("spring.data.redis.port", Integer.class, 6379);
		if (!environment.getProperty("sample.embedded-redis", Boolean.class, true) || answers(host, port)) {
			return;
		}
		int embeddedPort = freePort();
		try {
			RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(embeddedPort)
				.setting("save \"\"").setting("appendonly no").build();
			server.start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No Redis answers at " + host + ":" + port
					+ " and the embedded Redis server could not start; start Redis or set spring.data.redis.host/port", ex);
		}
		logger.info("No Redis answers at " + host + ":" + port + "; started an embedded Redis server on 127.0.0.1:"
				+ embeddedPort);
		environment.getPropertySources().addFirst(new MapPropertySource("embeddedRedis",
				Map.of("spring.data.redis.host", "127.0.0.1", "spring.data.redis.port", embeddedPort)));
	}

	private static boolean answers(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 300);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free port for the embedded Redis server", ex);
		}
	}

	private static void stop(RedisServer server) {
		try {
			server.stop();
		}
		catch (IOException ex) {
			logger.debug("Could not stop the embedded Redis server", ex);
		}
	}

}
