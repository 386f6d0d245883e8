package dev.tiercache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import redis.embedded.RedisSentinel;

import org.springframework.util.FileSystemUtils;

import static org.awaitility.Awaitility.await;

/**
 * A primary, its replica and three sentinels watching them (quorum 2), all real {@code redis-server}
 * processes from the embedded-redis jar's binary on free ports of 127.0.0.1, as Spring Boot's
 * {@code spring.data.redis.sentinel.*} properties point at them. The sentinels find a primary down after
 * {@value #DOWN_AFTER_MILLIS} ms. {@link #start()} returns once every sentinel knows the replica.
 */
public final class RedisSentinelGroup implements AutoCloseable {

	/** The name the sentinels monitor the primary by. */
	public static final String MASTER = "tiercache";

	private static final long DOWN_AFTER_MILLIS = 1000;

	private static final Duration FORMING = Duration.ofSeconds(30);

	private final List<EmbeddedRedis> servers = new ArrayList<>();

	private final List<RedisSentinel> sentinels = new ArrayList<>();

	private final List<Integer> sentinelPorts = new ArrayList<>();

	private final RedisClient client = RedisClient.create();

	private final List<Path> dataDirectories = new ArrayList<>();

	private RedisSentinelGroup() {
	}

	public static RedisSentinelGroup start() {
		return start(false);
	}

	/**
	 * Starts a group whose two servers have configuration lines of their own, such as
	 * {@code min-replicas-to-write 1}, which they keep when they restart.
	 * @param persistent whether the servers keep an append-only file ({@code appendfsync everysec}) in a
	 * directory of their own, so that a server killed and started again comes back with its data, as
	 * production servers do, rather than empty
	 */
	public static RedisSentinelGroup start(boolean persistent, String... serverSettings) {
		RedisSentinelGroup group = new RedisSentinelGroup();
		try {
			EmbeddedRedis primary = EmbeddedRedis.withSettings(group.settings(persistent, serverSettings));
			group.servers.add(primary);
			group.servers.add(EmbeddedRedis.withSettings(group.settings(persistent,
					with(serverSettings, "replicaof 127.0.0.1 " + primary.port()))));
			for (int i = 0; i < 3; i++) {
				int port = EmbeddedRedis.freePort();
				RedisSentinel sentinel = RedisSentinel.newRedisSentinel()
					.bind("127.0.0.1")
					.port(port)
					.masterName(MASTER)
					.masterPort(primary.port())
					.quorumSize(2)
					.downAfterMilliseconds(DOWN_AFTER_MILLIS)
					.failOverTimeout(5000)
					.parallelSyncs(1)
					.build();
				group.sentinels.add(sentinel);
				sentinel.start();
				group.sentinelPorts.add(port);
			}
			await("every sentinel knows the replica and the other sentinels").atMost(FORMING)
				.until(group::formed);
			return group;
		}
		catch (IOException ex) {
			group.close();
			throw new UncheckedIOException("Cannot start a Redis Sentinel group", ex);
		}
		catch (RuntimeException | Error ex) {
			group.close();
			throw ex;
		}
	}

	/** Spring Boot's properties that point an application at this group. */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.sentinel.master=" + MASTER,
				"spring.data.redis.sentinel.nodes=" + this.sentinelPorts.stream()
					.map((port) -> "127.0.0.1:" + port)
					.collect(Collectors.joining(",")) };
	}

	/** The server the sentinels name as the primary now. */
	public EmbeddedRedis primary() {
		SocketAddress address = onSentinel(0, (sentinel) -> sentinel.getMasterAddrByName(MASTER));
		return server(((InetSocketAddress) address).getPort());
	}

	/** The server that is not the primary. */
	public EmbeddedRedis replica() {
		EmbeddedRedis primary = primary();
		return this.servers.stream().filter((server) -> server != primary).findFirst().orElseThrow();
	}

	/** Whether {@code server} answers as a primary ({@code role:master}). */
	public boolean isPrimary(EmbeddedRedis server) {
		try {
			return onServer(server, (redis) -> redis.info("replication")).contains("role:master");
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Asks a sentinel to fail the primary over to the replica now ({@code SENTINEL FAILOVER}). */
	public void failover() {
		onSentinel(0, (sentinel) -> sentinel.failover(MASTER));
	}

	/** Runs {@code commands} on a connection of its own to {@code server}. */
	public <T> T onServer(EmbeddedRedis server, Function<RedisCommands<String, String>, T> commands) {
		try (StatefulRedisConnection<String, String> connection = this.client
			.connect(RedisURI.create("127.0.0.1", server.port()))) {
			return commands.apply(connection.sync());
		}
	}

	private <T> T onSentinel(int index,
			Function<RedisSentinelCommands<String, String>, T> commands) {
		try (StatefulRedisSentinelConnection<String, String> connection = this.client
			.connectSentinel(RedisURI.create("127.0.0.1", this.sentinelPorts.get(index)))) {
			return commands.apply(connection.sync());
		}
	}

	/**
	 * Whether the group is whole: every sentinel knows one replica and the two other sentinels, and the
	 * replica's link to its primary is up (after a failover, once the old primary came back as a replica).
	 */
	public boolean formed() {
		try {
			for (int i = 0; i < this.sentinelPorts.size(); i++) {
				Map<String, String> master = onSentinel(i, (sentinel) -> sentinel.master(MASTER));
				if (!"1".equals(master.get("num-slaves")) || !"2".equals(master.get("num-other-sentinels"))) {
					return false;
				}
			}
			return onServer(replica(), (redis) -> redis.info("replication")).contains("master_link_status:up");
		}
		catch (RuntimeException ex) {
			// a server or sentinel that does not answer yet
			return false;
		}
	}

	private EmbeddedRedis server(int port) {
		return this.servers.stream().filter((server) -> server.port() == port).findFirst()
			.orElseThrow(() -> new IllegalStateException("The sentinels name an unknown primary on port " + port));
	}

	@Override
	public void close() {
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		for (RedisSentinel sentinel : this.sentinels) {
			try {
				sentinel.stop();
			}
			catch (IOException | RuntimeException ex) {
				// the process is gone already
			}
		}
		this.servers.forEach(EmbeddedRedis::close);
		for (Path directory : this.dataDirectories) {
			try {
				FileSystemUtils.deleteRecursively(directory);
			}
			catch (IOException ex) {
				// a temporary directory left behind
			}
		}
	}

	/** One server's configuration lines: {@code settings}, and a data directory of its own if persistent. */
	private String[] settings(boolean persistent, String... settings) throws IOException {
		if (!persistent) {
			return settings;
		}
		Path directory = Files.createTempDirectory("tiercache-sentinel-redis-");
		this.dataDirectories.add(directory);
		return with(with(with(settings, "appendonly yes"), "appendfsync everysec"), "dir " + directory);
	}

	private static String[] with(String[] settings, String setting) {
		String[] all = Arrays.copyOf(settings, settings.length + 1);
		all[settings.length] = setting;
		return all;
	}

}
