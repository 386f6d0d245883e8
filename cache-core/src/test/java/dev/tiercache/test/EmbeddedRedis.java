package dev.tiercache.test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server process started by a test from the binaries inside the embedded-redis jar (or,
 * {@linkplain #installedOrEmbedded where asked}, the machine's own {@code redis-server}), on a free port
 * of 127.0.0.1. Tests that stop Redis mid-run use their own instance, never the shared one.
 */
public final class EmbeddedRedis implements AutoCloseable {

	private static final int START_ATTEMPTS = 5;

	private static final int HIGHEST_PORT = 65535 - 10000;

	private final int port;

	private final RedisServer server;

	private EmbeddedRedis(int port, boolean installedIfAny, String... settings) throws IOException {
		this.port = port;
		var builder = RedisServer.newRedisServer();
		ExecutableProvider installed = installedIfAny ? installed() : null;
		if (installed != null) {
			builder.executableProvider(installed);
		}
		builder.bind("127.0.0.1")
			.port(port)
			.setting("save \"\"")
			.setting("appendonly no");
		for (String setting : settings) {
			builder.setting(setting);
		}
		this.server = builder.build();
	}

	/** Starts a server on a free port. */
	public static EmbeddedRedis start() {
		return withSettings();
	}

	/** Starts a replica of the server on {@code primaryPort}, on a free port. */
	public static EmbeddedRedis replicaOf(int primaryPort) {
		return withSettings("replicaof 127.0.0.1 " + primaryPort);
	}

	/**
	 * Starts a server on a free port with configuration lines of its own, such as {@code maxmemory 64mb}.
	 * A port found free can be taken before the server binds it, and a cluster node also binds the port
	 * 10000 above its own: the start is tried again on another port, up to {@value #START_ATTEMPTS} times.
	 */
	public static EmbeddedRedis withSettings(String... settings) {
		return started(false, settings);
	}

	/**
	 * Starts a server as {@link #withSettings} does, from the machine's own {@code redis-server} where
	 * there is one on the {@code PATH} (a newer Redis than the jar's 6.2, with sharded pub/sub), and from
	 * the jar's binary otherwise.
	 */
	public static EmbeddedRedis installedOrEmbedded(String... settings) {
		return started(true, settings);
	}

	private static @Nullable ExecutableProvider installed() {
		try {
			return ExecutableProvider.newExecutableInPath("redis-server");
		}
		catch (FileNotFoundException ex) {
			return null;
		}
	}

	private static EmbeddedRedis started(boolean installedIfAny, String... settings) {
		IOException failure = null;
		for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			EmbeddedRedis redis = null;
			try {
				redis = new EmbeddedRedis(freePort(), installedIfAny, settings);
				redis.server.start();
				return redis;
			}
			catch (IOException ex) {
				if (redis != null) {
					redis.stopQuietly(ex);
				}
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		throw new UncheckedIOException("Cannot start an embedded Redis server in " + START_ATTEMPTS + " attempts",
				failure);
	}

	/** Stops a server whose start failed, in case its process outlived the failure. */
	private void stopQuietly(IOException startFailure) {
		try {
			this.server.stop();
		}
		catch (IOException ex) {
			startFailure.addSuppressed(ex);
		}
	}

	public int port() {
		return this.port;
	}

	public boolean isRunning() {
		return this.server.isActive();
	}

	/** Stops the server process (a later {@link #restart()} brings it back, empty, on the same port). */
	public void stop() {
		try {
			this.server.stop();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot stop the embedded Redis server", ex);
		}
	}

	public void restart() {
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot restart the embedded Redis server", ex);
		}
	}

	/**
	 * Kills the server's process as {@code kill -9} would (no shutdown, nothing saved), and returns once
	 * it is gone.
	 */
	public void kill() {
		String server = call((redis) -> redis.info("server"));
		long pid = server.lines()
			.filter((line) -> line.startsWith("process_id:"))
			.mapToLong((line) -> Long.parseLong(line.substring("process_id:".length()).strip()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("INFO server of " + this.port + " names no process_id"));
		ProcessHandle process = ProcessHandle.of(pid)
			.orElseThrow(() -> new IllegalStateException("No process " + pid + " for the server on " + this.port));
		process.destroyForcibly();
		process.onExit().join();
	}

	/**
	 * How many times the server ran a command since it started or {@link #resetStats()}.
	 * @param command the command's name in lower case ({@code evalsha})
	 */
	public long calls(String command) {
		return CommandStats.calls(call((redis) -> redis.info("commandstats")), command);
	}

	/** Resets the server's counts of the commands it ran ({@code CONFIG RESETSTAT}). */
	public void resetStats() {
		call(RedisCommands::configResetstat);
	}

	private <T> T call(Function<RedisCommands<String, String>, T> command) {
		RedisClient client = RedisClient.create();
		try (StatefulRedisConnection<String, String> connection = client
			.connect(RedisURI.create("127.0.0.1", this.port))) {
			return command.apply(connection.sync());
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
	}

	/** Starts the server again after a {@link #kill()}: empty, on the same port. */
	public void startAfterKill() {
		// the library still counts the killed process as running: stop() forgets it
		stop();
		restart();
	}

	@Override
	public void close() {
		if (this.server.isActive()) {
			stop();
		}
	}

	/**
	 * A port of 127.0.0.1 that nothing listens on now, at most {@value #HIGHEST_PORT}: a cluster node also
	 * binds the port 10000 above its own.
	 */
	static int freePort() throws IOException {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (socket.getLocalPort() <= HIGHEST_PORT) {
					return socket.getLocalPort();
				}
			}
		}
	}

}
