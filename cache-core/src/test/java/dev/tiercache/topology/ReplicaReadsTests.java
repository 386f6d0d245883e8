package dev.tiercache.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.BoundedClose;
import dev.tiercache.test.CommandStats;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reads from replicas ({@link TieredCacheManager.Builder#readFrom}) on a primary with one replica,
 * whose replication a test holds back with {@code CLIENT PAUSE … WRITE} on the replica (its readers
 * still answered, the primary's changes not applied): entries' values are read from the replica, and a
 * key whose change an instance was told of is read from the primary, so that its L1 does not keep the
 * replica's older value.
 */
class ReplicaReadsTests {

	private static final int KEYS = 20;

	private static EmbeddedRedis primary;

	private static EmbeddedRedis replica;

	private static final RedisClient client = RedisClient.create();

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> opened = new ArrayList<>();

	@BeforeAll
	static void startServers() {
		primary = EmbeddedRedis.start();
		replica = EmbeddedRedis.replicaOf(primary.port());
		await("the replica is in sync").atMost(Duration.ofSeconds(30))
			.until(() -> on(replica, (redis) -> redis.info("replication")).contains("master_link_status:up"));
	}

	@AfterAll
	static void stopServers() {
		client.shutdown();
		if (replica != null) {
			replica.close();
		}
		if (primary != null) {
			primary.close();
		}
	}

	@AfterEach
	void closeInstances() throws Exception {
		clientCommand(replica, "UNPAUSE");
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
		this.opened.clear();
		on(primary, (redis) -> redis.flushall());
	}

	@Test
	void entriesAreReadFromTheReplica() {
		TieredCache writer = books(start(ReadFrom.REPLICA));
		IntStream.range(0, KEYS).forEach((id) -> writer.put(id, "v1-" + id));
		await("the replica holds every entry").atMost(Duration.ofSeconds(10))
			.until(() -> on(replica, (redis) -> redis.dbsize()) >= KEYS);
		TieredCache reader = books(start(ReadFrom.REPLICA));
		// its start cleared L1 (changes may have been missed before), so for a while it reads the primary
		await("the reader reads from the replica").atMost(Duration.ofSeconds(10))
			.until(() -> servedByReplica(() -> reader.get("absent", String.class)));
		long getsBefore = gets(replica);

		IntStream.range(0, KEYS)
			.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isEqualTo("v1-" + id));

		assertThat(gets(replica) - getsBefore).as("GETs the replica served").isEqualTo(KEYS);
	}

	@Test
	void aKeyWhoseChangeWasReportedIsReadFromThePrimaryWhileTheReplicaLags() {
		TieredCache writer = books(start(ReadFrom.REPLICA));
		writer.put(1, "v1");
		await("the replica holds the entry").atMost(Duration.ofSeconds(10))
			.until(() -> on(replica, (redis) -> redis.dbsize()) >= 1);
		TieredCache reader = books(start(ReadFrom.REPLICA));
		assertThat(reader.get(1, String.class)).isEqualTo("v1");
		holdReplicationBack();

		writer.put(1, "v2");

		// the reader's L1 keeps v1 until it is told of the change; then it reads the primary, not the
		// lagging replica (which would put v1 back in an L1 that keeps entries for minutes)
		await("the reader sees the change").atMost(Duration.ofSeconds(10))
			.until(() -> "v2".equals(reader.get(1, String.class)));
		assertThat(offset(replica, "slave_repl_offset")).as("the replica still lags")
			.isLessThan(offset(primary, "master_repl_offset"));
	}

	/** Pauses the replica's writers, its primary's replication stream among them, for at most 30 s. */
	private static void holdReplicationBack() {
		clientCommand(replica, "PAUSE", "30000", "WRITE");
	}

	private static void clientCommand(EmbeddedRedis server, String... arguments) {
		on(server, (redis) -> redis.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
				new CommandArgs<>(StringCodec.UTF8).addValues(arguments)));
	}

	private static long offset(EmbeddedRedis server, String field) {
		String replication = on(server, (redis) -> redis.info("replication"));
		return replication.lines()
			.filter((line) -> line.startsWith(field + ":"))
			.mapToLong((line) -> Long.parseLong(line.substring(field.length() + 1).trim()))
			.findFirst()
			.orElseThrow();
	}

	@Test
	void aKeyDeletedByNameHereIsReadFromThePrimaryWhileTheReplicaLags() {
		TieredCache writer = books(start(ReadFrom.REPLICA));
		writer.put("named", "v1");
		await("the replica holds the entry").atMost(Duration.ofSeconds(10))
			.until(() -> on(replica, (redis) -> redis.dbsize()) >= 1);
		TieredCache reader = books(start(ReadFrom.REPLICA));
		await("the reader reads from the replica").atMost(Duration.ofSeconds(10))
			.until(() -> servedByReplica(() -> reader.get("absent", String.class)));
		holdReplicationBack();

		// not in the reader's L1: only Redis is told, and from Redis 7.2 on it does not report the reader's own
		// (scripted) delete back to it (before 7.2, as here, it does: NOLOOP misses scripts, redis#11052)
		assertThat(reader.evictNamed("named")).isTrue();

		assertThat(reader.get("named", String.class)).as("read after the delete").isNull();
	}

	@Test
	void aDeadReplicaHandsReadsToThePrimaryAndLeavesThePrimarysBreakerClosed() {
		int keys = 3 * KEYS;
		TieredCache writer = books(start(ReadFrom.REPLICA));
		IntStream.range(0, keys).forEach((id) -> writer.put(id, "v1-" + id));
		await("the replica holds every entry").atMost(Duration.ofSeconds(10))
			.until(() -> on(replica, (redis) -> redis.dbsize()) >= keys);
		TieredCacheManager readerManager = start(ReadFrom.REPLICA);
		TieredCache reader = books(readerManager);
		await("the reader reads from the replica").atMost(Duration.ofSeconds(10))
			.until(() -> servedByReplica(() -> reader.get("absent", String.class)));
		replica.kill();
		try {
			// more reads than a breaker's window (20 calls), each tried on the dead replica first
			IntStream.range(0, keys)
				.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isEqualTo("v1-" + id));

			assertThat(readerManager.redisCircuitBreaker()).isNotNull()
				.satisfies((breaker) -> assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED));
			assertThat(reader.stats().remoteErrors()).as("errors of the primary").isZero();
		}
		finally {
			replica.startAfterKill();
			await("the replica is in sync again").atMost(Duration.ofSeconds(30))
				.until(() -> on(replica, (redis) -> redis.info("replication")).contains("master_link_status:up"));
		}
	}

	@Test
	void ownConnectionsReadThePrimaryWhateverSpringBootsReadFromSays() {
		on(primary, (redis) -> redis.set("plain", "v1"));
		await("the replica holds the key").atMost(Duration.ofSeconds(10))
			.until(() -> "v1".equals(on(replica, (redis) -> redis.get("plain"))));
		holdReplicationBack();
		on(primary, (redis) -> redis.set("plain", "v2"));
		// as Spring Boot builds the factory for spring.data.redis.lettuce.read-from=replica
		LettuceConnectionFactory readingReplicas = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", primary.port()),
				LettuceClientConfiguration.builder().readFrom(ReadFrom.REPLICA).build());
		readingReplicas.afterPropertiesSet();
		readingReplicas.start();
		this.opened.add(() -> BoundedClose.run("a connection factory", readingReplicas::destroy));
		try (RedisConnection shared = readingReplicas.getConnection();
				RemoteCommands own = RemoteCommands.dedicated(readingReplicas, Duration.ofSeconds(2),
						RedisCircuitBreaker.disabled())) {
			assertThat(shared.stringCommands().get(bytes("plain"))).as("the factory's own connection")
				.isEqualTo(bytes("v1"));
			assertThat(own.get(bytes("plain"))).as("a connection of Tiercache's own").isEqualTo(bytes("v2"));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private TieredCacheManager start(ReadFrom readFrom) {
		LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory("127.0.0.1", primary.port());
		TieredCacheManager manager = TieredCacheManager.builder(connectionFactory)
			.keyPrefix(this.prefix)
			.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
			.readFrom(readFrom)
			.dynamic(false)
			.cache("books", CacheSettings.DEFAULTS.withLocalTtl(Duration.ofMinutes(5)))
			.build();
		this.opened.add(() -> BoundedClose.run("a connection factory", connectionFactory::destroy));
		manager.afterPropertiesSet();
		manager.start();
		this.opened.add(manager::destroy);
		TestRedis.awaitStartupResynchronization(manager);
		return manager;
	}

	private static TieredCache books(TieredCacheManager manager) {
		return manager.getTieredCache("books");
	}

	private static boolean servedByReplica(Runnable read) {
		long before = gets(replica);
		read.run();
		return gets(replica) > before;
	}

	private static long gets(EmbeddedRedis server) {
		return CommandStats.calls(on(server, (redis) -> redis.info("commandstats")), "get");
	}

	private static <T> T on(EmbeddedRedis server, Function<RedisCommands<String, String>, T> commands) {
		try (StatefulRedisConnection<String, String> connection = client
			.connect(RedisURI.create("127.0.0.1", server.port()))) {
			return commands.apply(connection.sync());
		}
	}

}
