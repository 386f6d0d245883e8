package dev.tiercache.consistency.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import dev.tiercache.test.TcpProxy;

/**
 * The system under test: the run's Redis, the database schema, and the instances. On one Redis
 * ({@link Topology#REDIS}), each instance is behind a TCP proxy of its own to it (so that one instance
 * can be cut off); on {@link Topology#SENTINEL} and {@link Topology#CLUSTER}, the instances follow the
 * topology's primaries through failovers. Closing it stops
 * the instances gracefully, then Redis, and drops the schema.
 */
final class Cluster implements AutoCloseable {

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	/** The run's one Redis, or {@code null} when primaries have replicas. */
	private final @Nullable RedisProcess redis;

	private final @Nullable RedisAdmin admin;

	/** The primaries and their replicas, or {@code null} on one Redis. */
	private final @Nullable ReplicatedRedis replicated;

	private final Database database;

	private final List<TcpProxy> proxies = new ArrayList<>();

	private final List<NodeProcess> nodes = new ArrayList<>();

	Cluster(RunSettings settings, Path directory) {
		boolean oneRedis = settings.topology() == Topology.REDIS;
		this.redis = oneRedis ? new RedisProcess(directory) : null;
		this.admin = oneRedis ? new RedisAdmin(this.redis.port()) : null;
		this.replicated = switch (settings.topology()) {
			case REDIS -> null;
			case SENTINEL -> new SentinelRedis(settings.minReplicas());
			case CLUSTER -> new ClusterRedis();
		};
		String runId = settings.runId();
		this.database = new Database("consistency_" + runId, settings.keys());
		for (int i = 0; i < settings.instances(); i++) {
			List<String> redisProperties;
			if (oneRedis) {
				TcpProxy proxy = proxy(this.redis.port());
				this.proxies.add(proxy);
				redisProperties = List.of("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + proxy.port());
			}
			else {
				redisProperties = this.replicated.springProperties();
			}
			this.nodes.add(new NodeProcess(i + 1,
					settings.instanceArguments(runId, redisProperties, this.database.instanceUrl()), directory));
		}
	}

	/** Starts every instance at once and waits until all are ready. */
	void start() {
		CompletableFuture.allOf(this.nodes.stream().map((node) -> CompletableFuture.runAsync(node::start))
			.toArray(CompletableFuture[]::new)).join();
	}

	/** Which {@code redis-server} runs, for the report. */
	String describeRedis() {
		return (this.redis != null) ? this.redis.describe() : this.replicated.describe();
	}

	/** The run's one Redis. @throws IllegalStateException when primaries have replicas */
	RedisProcess redis() {
		return oneRedis(this.redis);
	}

	/**
	 * A connection of the harness's own to the run's one Redis.
	 * @throws IllegalStateException when primaries have replicas
	 */
	RedisAdmin admin() {
		return oneRedis(this.admin);
	}

	/** The primaries and their replicas. @throws IllegalStateException on one Redis */
	ReplicatedRedis replicated() {
		if (this.replicated == null) {
			throw new IllegalStateException("This run has one Redis, without replicas");
		}
		return this.replicated;
	}

	private <T> T oneRedis(@Nullable T part) {
		if (part == null) {
			throw new IllegalStateException("This run's Redis is not one server but " + describeRedis());
		}
		return part;
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
		NodeProcess any = this.nodes.get(0);
		Sleeper.until("the write-behind queue drains", DRAIN_TIMEOUT, () -> pending(any) == 0);
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
		if (this.redis != null) {
			this.redis.close();
		}
		if (this.replicated != null) {
			this.replicated.close();
		}
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
