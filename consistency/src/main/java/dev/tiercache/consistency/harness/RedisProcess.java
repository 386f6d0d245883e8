package dev.tiercache.consistency.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import redis.embedded.core.ExecutableProvider;

/**
 * The run's own Redis server, a real {@code redis-server} process: the system's binary where one is on
 * the {@code PATH}, the one inside the embedded-redis jar otherwise. It persists every write to its
 * append-only file before answering ({@code appendfsync always}), so that a {@link #kill()} and
 * {@link #start()} lose nothing a client was told was written. Private to the run, since the nemesis
 * pauses, kills and restarts it.
 */
final class RedisProcess implements AutoCloseable {

	private final File binary;

	private final Path directory;

	private final int port;

	private Process process;

	RedisProcess(Path directory) {
		this.binary = binary();
		this.directory = directory;
		this.port = freePort();
		start();
	}

	int port() {
		return this.port;
	}

	/** Where the binary came from, for the report. */
	String describe() {
		return this.binary.getPath();
	}

	/** Starts the server, reading back what its append-only file holds. */
	synchronized void start() {
		ProcessBuilder builder = new ProcessBuilder(List.of(this.binary.getPath(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--dir", this.directory.toString(), "--save", "", "--appendonly", "yes",
				"--appendfsync", "always", "--maxmemory-policy", "noeviction", "--logfile", "redis.log"));
		builder.redirectErrorStream(true).redirectOutput(this.directory.resolve("redis.out").toFile());
		try {
			this.process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + this.binary, ex);
		}
		awaitAnswer(Duration.ofSeconds(20));
	}

	/** Kills the server at once ({@code SIGKILL}), as a crash would. */
	synchronized void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void awaitAnswer(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				socket.getOutputStream().write("PING\r\n".getBytes());
				byte[] reply = new byte[64];
				int read = socket.getInputStream().read(reply);
				if (read > 0 && new String(reply, 0, read).startsWith("+PONG")) {
					return;
				}
			}
			catch (IOException ex) {
				// not up yet, or still loading its append-only file
			}
			Sleeper.sleep(Duration.ofMillis(50));
		}
		throw new IllegalStateException("Redis on port " + this.port + " did not answer within " + timeout + "; see "
				+ this.directory.resolve("redis.log"));
	}

	@Override
	public void close() {
		kill();
	}

	private static File binary() {
		try {
			return ExecutableProvider.newExecutableInPath("redis-server").get();
		}
		catch (IOException ex) {
			try {
				return ExecutableProvider.newJarResourceProvider().get();
			}
			catch (IOException jar) {
				throw new UncheckedIOException("No redis-server on the PATH and none in the embedded-redis jar", jar);
			}
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
