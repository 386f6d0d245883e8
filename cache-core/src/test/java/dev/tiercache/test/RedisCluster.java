package dev.tiercache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.FileSystemUtils;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of real {@code redis-server} processes (the machine's own where there is one, the
 * embedded-redis jar's binary on a machine with only Java) on free ports of 127.0.0.1: {@code primaries}
 * primaries sharing the 16384 slots in equal ranges, each with {@code replicasEach} replicas. It is formed
 * from Java with {@code CLUSTER MEET}, {@code CLUSTER ADDSLOTS} and {@code CLUSTER REPLICATE}, as an
 * operator's tooling would, and {@link #start} returns once every node reports {@code cluster_state:ok}
 * and sees every replica attached. Each node keeps its cluster state in a directory of its own, deleted on
 * {@link #close()}.
 */
public final class RedisCluster implements AutoCloseable {

	/** How many hash slots Redis Cluster has. */
	public static final int SLOTS = 16384;

	private static final Duration FORMING = Duration.ofSeconds(30);

	private final Path directory;

	private final List<EmbeddedRedis> primaries = new ArrayList<>();

	private final List<EmbeddedRedis> replicas = new ArrayList<>();

	private final List<EmbeddedRedis> killed = new ArrayList<>();

	/** Talks to one node at a time, for forming and inspecting the cluster. */
	private final RedisClient client = RedisClient.create();

	private RedisCluster(Path directory) {
		this.directory = directory;
	}

	/** Three primaries, each with one replica. */
	public static RedisCluster start() {
		return start(3, 1);
	}

	public static RedisCluster start(int primaries, int replicasEach) {
		RedisCluster cluster;
		try {
			cluster = new RedisCluster(Files.createTempDirectory("tiercache-cluster"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create the cluster's directory", ex);
		}
		try {
			for (int i = 0; i < primaries; i++) {
				cluster.primaries.add(cluster.node());
				for (int r = 0; r < replicasEach; r++) {
					cluster.replicas.add(cluster.node());
				}
			}
			cluster.form(replicasEach);
			return cluster;
		}
		catch (RuntimeException | Error ex) {
			cluster.close();
			throw ex;
		}
	}

	/** The primaries, in the order of the slot ranges they were given. */
	public List<EmbeddedRedis> primaries() {
		return List.copyOf(this.primaries);
	}

	/** The replicas: those of the first primary first. */
	public List<EmbeddedRedis> replicas() {
		return List.copyOf(this.replicas);
	}

	/** Every node's port, primaries first. */
	public List<Integer> ports() {
		return nodes().stream().map(EmbeddedRedis::port).toList();
	}

	/** Spring Boot's property that points an application at this cluster ({@code spring.data.redis.cluster.nodes}). */
	public String springProperty() {
		return "spring.data.redis.cluster.nodes=" + ports().stream().map((port) -> "127.0.0.1:" + port)
			.collect(Collectors.joining(","));
	}

	/**
	 * A started Lettuce connection factory for the cluster, seeded with every node, as Spring Boot makes
	 * it from {@code spring.data.redis.cluster.nodes}, and configured as the other tests' factories are.
	 * The caller destroys it.
	 */
	public LettuceConnectionFactory connectionFactory() {
		return connectionFactory(null);
	}

	/**
	 * A started connection factory for the cluster, as {@link #connectionFactory()}, with client options
	 * of its own (such as a topology refresh, as {@code spring.data.redis.lettuce.cluster.refresh.*} sets
	 * it, or RESP2). The caller destroys it.
	 */
	public LettuceConnectionFactory connectionFactory(@Nullable ClientOptions options) {
		return TestRedis.started(
				new RedisClusterConfiguration(ports().stream().map((port) -> "127.0.0.1:" + port).toList()), options);
	}

	/**
	 * A key, {@code prefix} and a hash tag, whose slot the {@code index}th primary serves as the cluster was
	 * formed (before any failover), as UTF-8 bytes.
	 */
	public byte[] keyOnPrimary(String prefix, int index) {
		return IntStream.iterate(0, (i) -> i + 1)
			.mapToObj((i) -> (prefix + "{" + i + "}").getBytes(StandardCharsets.UTF_8))
			.filter((key) -> primaryOf(key) == index)
			.findFirst()
			.orElseThrow();
	}

	/**
	 * The index (in {@link #primaries()}, and of its replica in {@link #replicas()}) of the primary that
	 * served the key's slot as the cluster was formed.
	 */
	public int primaryOf(byte[] key) {
		return Math.min(SlotHash.getSlot(key) / (SLOTS / this.primaries.size()), this.primaries.size() - 1);
	}

	/**
	 * Kills the node on {@code port} as {@code kill -9} would (no shutdown, nothing saved), and returns
	 * once its process is gone.
	 */
	public void kill(int port) {
		EmbeddedRedis node = nodes().stream()
			.filter((candidate) -> candidate.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No node of the cluster on port " + port));
		node.kill();
		this.killed.add(node);
	}

	/**
	 * Starts again, empty, on their ports and with the cluster state they saved, the nodes {@link #kill}
	 * killed: a primary back before the cluster's node timeout (2 s) is still its slots' primary.
	 */
	public void restartKilled() {
		this.killed.forEach(EmbeddedRedis::startAfterKill);
		this.killed.clear();
	}

	/** Runs {@code commands} on a connection of its own to the node on {@code port}, closed after. */
	public <T> T onNode(int port, Function<RedisCommands<String, String>, T> commands) {
		RedisURI node = RedisURI.create("127.0.0.1", port);
		try (StatefulRedisConnection<String, String> connection = this.client.connect(node)) {
			return commands.apply(connection.sync());
		}
	}

	private EmbeddedRedis node() {
		Path home;
		try {
			home = Files.createTempDirectory(this.directory, "node");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create a cluster node's directory", ex);
		}
		return EmbeddedRedis.installedOrEmbedded("cluster-enabled yes", "cluster-config-file nodes.conf",
				"cluster-node-timeout 2000", "dir " + home.toAbsolutePath());
	}

	private void form(int replicasEach) {
		int first = this.primaries.get(0).port();
		for (EmbeddedRedis node : nodes()) {
			onNode(first, (redis) -> redis.clusterMeet("127.0.0.1", node.port()));
		}
		int per = SLOTS / this.primaries.size();
		for (int i = 0; i < this.primaries.size(); i++) {
			int from = i * per;
			int to = (i == this.primaries.size() - 1) ? SLOTS : from + per;
			int[] slots = IntStream.range(from, to).toArray();
			onNode(this.primaries.get(i).port(), (redis) -> redis.clusterAddSlots(slots));
		}
		await("every node knows every other").atMost(FORMING)
			.until(() -> nodes().stream().allMatch((node) -> onNode(node.port(), RedisCommands::clusterNodes)
				.lines()
				.count() == nodes().size()));
		for (int i = 0; i < this.primaries.size(); i++) {
			String primaryId = onNode(this.primaries.get(i).port(), RedisCommands::clusterMyId);
			for (EmbeddedRedis replica : this.replicas.subList(i * replicasEach, (i + 1) * replicasEach)) {
				onNode(replica.port(), (redis) -> redis.clusterReplicate(primaryId));
			}
		}
		await("the cluster is formed").atMost(FORMING).until(this::formed);
	}

	private boolean formed() {
		for (EmbeddedRedis node : nodes()) {
			if (!onNode(node.port(), RedisCommands::clusterInfo).contains("cluster_state:ok")
					|| connectedReplicas(onNode(node.port(), RedisCommands::clusterNodes)) != this.replicas.size()) {
				return false;
			}
		}
		return this.replicas.stream()
			.allMatch((replica) -> onNode(replica.port(), (redis) -> redis.info("replication"))
				.contains("master_link_status:up"));
	}

	/** How many nodes {@code CLUSTER NODES} lists as connected replicas: flags hold "slave", link "connected". */
	private static long connectedReplicas(String clusterNodes) {
		return clusterNodes.lines()
			.map((line) -> line.split(" "))
			.filter((fields) -> fields.length > 7 && List.of(fields[2].split(",")).contains("slave")
					&& fields[7].equals("connected"))
			.count();
	}

	/** Every node: the primaries, then the replicas. */
	public List<EmbeddedRedis> nodes() {
		List<EmbeddedRedis> nodes = new ArrayList<>(this.primaries);
		nodes.addAll(this.replicas);
		return nodes;
	}

	@Override
	public void close() {
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		nodes().forEach(EmbeddedRedis::close);
		FileSystemUtils.deleteRecursively(this.directory.toFile());
	}

}
