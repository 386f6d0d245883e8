package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKey;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@link Coherence} on real Redis servers: which changes Redis tracking reports and in what order, the
 * published fallback when the connection speaks RESP2 or the server refuses tracking, and the
 * resynchronization after a flush or a lost connection. Servers that are flushed or lose connections
 * are started by the test, never the shared one.
 */
class CoherenceTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final List<AutoCloseable> opened = new ArrayList<>();

	private final LettuceConnectionFactory other = track(TestRedis.connectionFactory());

	@AfterEach
	void close() throws Exception {
		try (RedisConnection connection = this.other.getConnection()) {
			connection.keyCommands().del(value("k"), value("marker"), value("mine"), value("expiring"),
					this.keys.build(new RedisKey.Entry(RedisKey.EntryPart.LOCK, "books", 0, "k")));
		}
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	@Test
	void aConnectionThatSpeaksResp3IsTrackedAndAnotherClientsWriteReachesTheTarget() {
		Instance instance = open(TestRedis.connectionFactory());
		assertThat(instance.coherence.mode()).isEqualTo(CoherenceMode.TRACKING);
		set(this.other, value("k"), "written elsewhere");
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("k"))));
		assertThat(instance.coherence.invalidationsReceived()).isEqualTo(instance.target.changed.size());
	}

	@Test
	void aChangedNamespaceVersionIsReportedToo() {
		Instance instance = open(TestRedis.connectionFactory());
		try {
			set(this.other, this.keys.namespace("books"), "4");
			await().atMost(WAIT).until(() -> instance.target.changed.contains(text(this.keys.namespace("books"))));
		}
		finally {
			delete(this.other, this.keys.namespace("books"));
		}
	}

	@Test
	void keysOutsideTheTrackedPrefixesAreNotReported() {
		Instance instance = open(TestRedis.connectionFactory());
		byte[] lock = this.keys.build(new RedisKey.Entry(RedisKey.EntryPart.LOCK, "books", 0, "k"));
		set(this.other, lock, "a lease");
		set(this.other, value("marker"), "written after the lease");
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("marker"))));
		assertThat(instance.target.changed).containsExactly(text(value("marker")));
	}

	@Test
	void aWriteOnTheTrackedConnectionItselfIsNotReported() {
		Instance instance = open(TestRedis.connectionFactory());
		instance.commands.call((redis) -> redis.set(value("mine"), bytes("written by this instance")));
		set(this.other, value("marker"), "written elsewhere afterwards");
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("marker"))));
		assertThat(instance.target.changed).as("NOLOOP").doesNotContain(text(value("mine")));
	}

	@Test
	void anExpiryIsReportedThoughTheWriteWasThisInstances() {
		Instance instance = open(TestRedis.connectionFactory());
		instance.commands.call((redis) -> redis.psetex(value("expiring"), 50, bytes("short-lived")));
		// another client's read removes the expired key: Redis's background expiry samples the keys that
		// have a TTL a few dozen at a time and, with many of them in the shared server, may take longer
		await().atMost(WAIT).until(() -> !exists(this.other, value("expiring")));
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("expiring"))));
	}

	// the guarantee readers rely on: a reply never overtakes an invalidation Redis sent before it
	@Test
	void anInvalidationRedisSentBeforeAReplyReachesTheTargetBeforeTheCallerWakes() {
		Instance instance = open(TestRedis.connectionFactory());
		int rounds = 200;
		int seenBeforeTheReply = 0;
		try {
			for (int i = 0; i < rounds; i++) {
				byte[] key = value("k" + i);
				set(this.other, key, "v" + i);
				instance.commands.call((redis) -> redis.get(key));
				if (instance.target.changed.contains(text(key))) {
					seenBeforeTheReply++;
				}
			}
		}
		finally {
			for (int i = 0; i < rounds; i++) {
				delete(this.other, value("k" + i));
			}
		}
		assertThat(seenBeforeTheReply).isEqualTo(rounds);
	}

	@Test
	void aTrackedInstancePublishesNothing() throws Exception {
		Instance instance = open(TestRedis.connectionFactory());
		Subscriber subscriber = subscribe(TestRedis.uri().getPort(), this.keys.invalidationsChannel());
		instance.coherence.publish(value("k"));
		publish(this.other, this.keys.invalidationsChannel(), "marker");
		await().atMost(WAIT).until(() -> subscriber.messages.contains("marker"));
		assertThat(subscriber.messages).containsExactly("marker");
		assertThat(instance.coherence.invalidationsSent()).isZero();
	}

	@Test
	void aConnectionThatSpeaksResp2FallsBackToPublishedInvalidationsBetweenInstances() {
		Instance first = open(TestRedis.resp2ConnectionFactory());
		Instance second = open(TestRedis.resp2ConnectionFactory());
		assertThat(first.coherence.mode()).isEqualTo(CoherenceMode.PUBSUB);
		assertThat(second.coherence.mode()).isEqualTo(CoherenceMode.PUBSUB);
		awaitSubscribers(TestRedis.port(), 2);

		first.coherence.publish(value("k"));
		await().atMost(WAIT).until(() -> second.target.changed.contains(text(value("k"))));
		second.coherence.publish(value("marker"));
		await().atMost(WAIT).until(() -> first.target.changed.contains(text(value("marker"))));

		assertThat(first.target.changed).as("its own publication is not handed back").containsExactly(text(value("marker")));
		assertThat(second.target.changed).containsExactly(text(value("k")));
		assertThat(first.coherence.invalidationsSent()).isEqualTo(1);
		assertThat(first.coherence.invalidationsReceived()).isEqualTo(1);
		assertThat(second.coherence.invalidationsSent()).isEqualTo(1);
		assertThat(second.coherence.invalidationsReceived()).isEqualTo(1);
	}

	@Test
	void inThePublishedFallbackAnotherClientsWriteIsNotReported() {
		Instance instance = open(TestRedis.resp2ConnectionFactory());
		Instance publisher = open(TestRedis.resp2ConnectionFactory());
		awaitSubscribers(TestRedis.port(), 2);
		set(this.other, value("k"), "written outside Tiercache");
		publisher.coherence.publish(value("marker"));
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("marker"))));
		assertThat(instance.target.changed).containsExactly(text(value("marker")));
	}

	@Test
	void nothingIsPublishedOrCountedWhileTheBreakerKeepsCallersFromRedis() {
		RedisCircuitBreaker breaker = new RedisCircuitBreaker(RedisCircuitBreaker.defaults()
			.slidingWindowSize(2)
			.minimumNumberOfCalls(2)
			.waitDurationInOpenState(Duration.ofMinutes(10))
			.build());
		this.opened.add(breaker);
		Instance stopped = open(TestRedis.resp2ConnectionFactory(), breaker);
		Instance listening = open(TestRedis.resp2ConnectionFactory());
		awaitSubscribers(TestRedis.port(), 2);
		for (int i = 0; i < 2; i++) {
			breaker.failed(Duration.ofMillis(300).toNanos(), new IllegalStateException("timed out"));
		}
		assertThat(breaker.admits()).isFalse();
		stopped.coherence.publish(value("k"));
		publish(this.other, this.keys.invalidationsChannel(), "0123456789abcdef" + text(value("marker")));
		await().atMost(WAIT).until(() -> listening.target.changed.contains(text(value("marker"))));
		assertThat(listening.target.changed).containsExactly(text(value("marker")));
		assertThat(stopped.coherence.invalidationsSent()).isZero();
	}

	@Test
	void aMessageOnTheChannelThatIsNotAnInvalidationIsIgnored() {
		Instance instance = open(TestRedis.resp2ConnectionFactory());
		Instance publisher = open(TestRedis.resp2ConnectionFactory());
		awaitSubscribers(TestRedis.port(), 2);
		publish(this.other, this.keys.invalidationsChannel(), "too short");
		publisher.coherence.publish(value("marker"));
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("marker"))));
		assertThat(instance.target.changed).containsExactly(text(value("marker")));
		assertThat(instance.coherence.invalidationsReceived()).isEqualTo(1);
	}

	@Test
	void aServerThatRefusesTrackingMakesTheInstancesPublishTheirChanges() {
		EmbeddedRedis server = track(EmbeddedRedis.withSettings("rename-command CLIENT \"\""));
		Instance first = open(TestRedis.connectionFactory("127.0.0.1", server.port()));
		Instance second = open(TestRedis.connectionFactory("127.0.0.1", server.port()));
		assertThat(first.coherence.mode()).isEqualTo(CoherenceMode.PUBSUB);
		awaitSubscribers(server.port(), 2);
		first.coherence.publish(value("k"));
		await().atMost(WAIT).until(() -> second.target.changed.contains(text(value("k"))));
	}

	@Test
	void aFlushOfRedisMakesTheTargetResynchronize() {
		EmbeddedRedis server = track(EmbeddedRedis.start());
		Instance instance = open(TestRedis.connectionFactory("127.0.0.1", server.port()));
		assertThat(instance.target.resynchronized).as("a connection opened: changes may have been missed").hasValue(1);
		LettuceConnectionFactory client = track(TestRedis.connectionFactory("127.0.0.1", server.port()));
		try (RedisConnection connection = client.getConnection()) {
			connection.serverCommands().flushAll();
		}
		await().atMost(WAIT).untilAsserted(() -> assertThat(instance.target.resynchronized).hasValue(2));
	}

	@Test
	void aLostTrackingConnectionIsTrackedAgainAndTheTargetResynchronizes() {
		EmbeddedRedis server = track(EmbeddedRedis.start());
		Instance instance = open(TestRedis.connectionFactory("127.0.0.1", server.port()));
		LettuceConnectionFactory client = track(TestRedis.connectionFactory("127.0.0.1", server.port()));
		Long id = instance.commands.call((redis) -> redis.clientId());
		assertThat(admin(server.port()).clientKill(KillArgs.Builder.id(id))).isEqualTo(1);
		await().atMost(WAIT).untilAsserted(() -> assertThat(instance.target.resynchronized).hasValueGreaterThan(1));
		assertThat(instance.commands.<Long>call((redis) -> redis.clientId())).as("a new connection").isNotEqualTo(id);
		set(client, value("k"), "written after the reconnect");
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("k"))));
		assertThat(instance.coherence.mode()).isEqualTo(CoherenceMode.TRACKING);
	}

	@Test
	void aLostSubscriptionInThePublishedFallbackResynchronizesTheTargetAndDeliversAgain() {
		EmbeddedRedis server = track(EmbeddedRedis.start());
		Instance instance = open(resp2(server.port()));
		Instance publisher = open(resp2(server.port()));
		awaitSubscribers(server.port(), 2);
		int before = instance.target.resynchronized.get();
		assertThat(admin(server.port()).clientKill(KillArgs.Builder.typePubsub())).isEqualTo(2);
		await().atMost(WAIT).untilAsserted(() -> assertThat(instance.target.resynchronized).hasValueGreaterThan(before));
		awaitSubscribers(server.port(), 2);
		publisher.coherence.publish(value("k"));
		await().atMost(WAIT).until(() -> instance.target.changed.contains(text(value("k"))));
	}

	@Test
	void theModeIsUnknownUntilAConnectionWasSetUp() {
		LettuceConnectionFactory factory = track(TestRedis.connectionFactory());
		Coherence coherence = track(new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel()));
		assertThat(coherence.mode()).isNull();
		coherence.publish(value("k"));
		assertThat(coherence.invalidationsSent()).isZero();
	}

	@Test
	void aConnectionCannotBeSetUpBeforeTheTargetIsKnown() {
		LettuceConnectionFactory factory = track(TestRedis.connectionFactory());
		Coherence coherence = track(new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel()));
		RedisClient client = RedisClient.create(RedisURI.create(TestRedis.uri().toString()));
		this.opened.add(client::shutdown);
		StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
		this.opened.add(connection::close);
		assertThatIllegalStateException().isThrownBy(() -> coherence.prepare(connection, Duration.ofSeconds(2)))
			.withMessageContaining("deliverTo");
		assertThat(coherence.mode()).isNull();
	}

	private Instance open(LettuceConnectionFactory factory) {
		return open(factory, RedisCircuitBreaker.disabled());
	}

	private Instance open(LettuceConnectionFactory factory, RedisCircuitBreaker breaker) {
		track(factory);
		RecordingTarget target = new RecordingTarget();
		Coherence coherence = track(new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel()));
		RemoteCommands commands = track(RemoteCommands.dedicated(factory, Duration.ofSeconds(2), breaker, coherence));
		coherence.deliverTo(target, commands);
		assertThat(commands.connect(WAIT)).as("connected").isTrue();
		return new Instance(coherence, commands, target);
	}

	private LettuceConnectionFactory resp2(int port) {
		return track(TestRedis.resp2ConnectionFactory("127.0.0.1", port));
	}

	private Subscriber subscribe(int port, String channel) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.opened.add(client::shutdown);
		StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
		this.opened.add(connection::close);
		Subscriber subscriber = new Subscriber();
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				subscriber.messages.add(message);
			}

		});
		connection.sync().subscribe(channel);
		return subscriber;
	}

	private void awaitSubscribers(int port, long count) {
		RedisCommands<String, String> redis = admin(port);
		String channel = this.keys.invalidationsChannel();
		await().atMost(WAIT).untilAsserted(() -> assertThat(redis.pubsubNumsub(channel)).containsEntry(channel, count));
	}

	/** Plain commands on a server of the test's own, for what Spring's connection does not offer. */
	private RedisCommands<String, String> admin(int port) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.opened.add(client::shutdown);
		StatefulRedisConnection<String, String> connection = client.connect();
		this.opened.add(connection::close);
		return connection.sync();
	}

	private <T extends AutoCloseable> T track(T closeable) {
		this.opened.add(closeable);
		return closeable;
	}

	private LettuceConnectionFactory track(LettuceConnectionFactory factory) {
		this.opened.add(factory::destroy);
		return factory;
	}

	private byte[] value(String key) {
		return this.keys.value("books", 0, key);
	}

	private static void set(LettuceConnectionFactory factory, byte[] key, String value) {
		try (RedisConnection connection = factory.getConnection()) {
			connection.stringCommands().set(key, bytes(value));
		}
	}

	private static void delete(LettuceConnectionFactory factory, byte[] key) {
		try (RedisConnection connection = factory.getConnection()) {
			connection.keyCommands().del(key);
		}
	}

	private static boolean exists(LettuceConnectionFactory factory, byte[] key) {
		try (RedisConnection connection = factory.getConnection()) {
			return Boolean.TRUE.equals(connection.keyCommands().exists(key));
		}
	}

	private static void publish(LettuceConnectionFactory factory, String channel, String message) {
		try (RedisConnection connection = factory.getConnection()) {
			connection.publish(bytes(channel), bytes(message));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private record Instance(Coherence coherence, RemoteCommands commands, RecordingTarget target) {
	}

	/** A target that records what it is told, as text. */
	private static final class RecordingTarget implements InvalidationTarget {

		private final Queue<String> changed = new ConcurrentLinkedQueue<>();

		private final AtomicInteger resynchronized = new AtomicInteger();

		@Override
		public void changed(byte[] key) {
			this.changed.add(text(key));
		}

		@Override
		public void resynchronize() {
			this.resynchronized.incrementAndGet();
		}

	}

	private static final class Subscriber {

		private final Queue<String> messages = new ConcurrentLinkedQueue<>();

	}

}
