package dev.tiercache.consistency.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.tiercache.test.TcpProxy;

/**
 * The system under test: the run's Redis, the database schema, and the instances, each behind a TCP
 * proxy of its own to Redis (so that one instance can be cut off). Closing it stops the instances
 * gracefully, then Redis, and drops the schema.
 */
final class Cluster implements AutoCloseable {

	private final RedisProcess redis;

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	private final RedisAdmin admin;

	private final Database database;

	private final List<TcpProxy> proxies = new ArrayList<>();

	private final List<NodeProcess> nodes = new ArrayList<>();

	Cluster(RunSettings settings, Path directory) {
		this.redis = new RedisProcess(directory);
		this.admin = new RedisAdmin(this.redis.port());
		String runId = settings.runId();
		this.database = new Database("consistency_" + runId, settings.keys());
		for (int i = 0; i < settings.instances(); i++) {
			TcpProxy proxy = proxy(this.redis.port());
			this.proxies.add(proxy);
			this.nodes.add(new NodeProcess(i + 1,
					settings.instanceArguments(runId, proxy.port(), this.database.instanceUrl()), directory));
		}
	}

	/** Starts every instance at once and waits until all are ready. */
	void start() {
		CompletableFuture.allOf(this.nodes.stream().map((node) -> CompletableFuture.runAsync(node::start))
			.toArray(CompletableFuture[]::new)).join();
	}

	RedisProcess redis() {
		return this.redis;
	}

	RedisAdmin admin() {
		return this.admin;
	}

	Database database() {
		return this.database;
	}

	List<TcpProxy> proxies() {
		return this.proxies;
	}

	List<NodeProcess> nodes() {
		return this.nodes;
	}

	/** Sends a command to every instance at once and waits for their answers. */
	void all(String command) {
		this.nodes.parallelStream().forEach((node) -> node.command(command, Duration.ofSeconds(120)));
	}

	/** Waits until no write-behind entry is pending (asking again while an instance cannot reach Redis). */
	void awaitDrained() {
		long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
		NodeProcess any = this.nodes.get(0);
		while (pending(any) != 0) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the write-behind queue did not drain within " + DRAIN_TIMEOUT);
			}
			Sleeper.sleep(Duration.ofMillis(100));
		}
	}

	/** The entries pending, or -1 if the instance could not tell. */
	private static long pending(NodeProcess node) {
		try {
			return Long.parseLong(node.command("pending", Duration.ofSeconds(10)));
		}
		catch (IllegalStateException ex) {
			return -1;
		}
	}

	/** Every incarnation's history file. */
	List<Path> histories() {
		List<Path> files = new ArrayList<>();
		this.nodes.forEach((node) -> files.addAll(node.histories()));
		return files;
	}

	@Override
	public void close() {
		CompletableFuture.allOf(this.nodes.stream().map((node) -> CompletableFuture.runAsync(node::close))
			.toArray(CompletableFuture[]::new)).join();
		for (TcpProxy proxy : this.proxies) {
			try {
				proxy.close();
			}
			catch (IOException ex) {
				// nothing more to do for a proxy that will not close
			}
		}
		this.redis.close();
		this.database.close();
	}

	private static TcpProxy proxy(int port) {
		try {
			return TcpProxy.to(port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open a proxy to Redis", ex);
		}
	}

}
