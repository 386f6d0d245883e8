package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The subscription of the published fallback ({@link PublishedInvalidations}) on real Redis servers:
 * retried until Redis answers, made once however often it is started, dropped by a stop and made again
 * by a start, and never made after it was closed.
 */
class PublishedInvalidationsTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private final String channel = TestRedis.uniquePrefix() + ":tiercache:invalidations";

	private final Queue<String> heard = new ConcurrentLinkedQueue<>();

	private final AtomicInteger reconnected = new AtomicInteger();

	private final List<AutoCloseable> opened = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	@Test
	void aSubscriptionThatCannotBeMadeYetIsRetriedUntilRedisAnswers() throws Exception {
		TcpProxy proxy = track(TcpProxy.to(TestRedis.port()));
		proxy.cut();
		PublishedInvalidations subscription = subscription(proxy.port());
		subscription.start(this.reconnected::incrementAndGet);
		await().atMost(WAIT).until(() -> proxy.refusedConnections() >= 2);
		proxy.restore();
		RedisCommands<String, String> redis = admin(TestRedis.port());
		awaitSubscribers(redis, 1);
		redis.publish(this.channel, "after the retry");
		await().atMost(WAIT).until(() -> this.heard.contains("after the retry"));
	}

	@Test
	void startingTwiceSubscribesOnce() {
		PublishedInvalidations subscription = subscription(TestRedis.port());
		subscription.start(this.reconnected::incrementAndGet);
		subscription.start(this.reconnected::incrementAndGet);
		RedisCommands<String, String> redis = admin(TestRedis.port());
		awaitSubscribers(redis, 1);
		redis.publish(this.channel, "once");
		await().atMost(WAIT).until(() -> this.heard.contains("once"));
		assertThat(this.heard).containsExactly("once");
		assertThat(redis.pubsubNumsub(this.channel)).containsEntry(this.channel, 1L);
	}

	@Test
	void aStopUnsubscribesAndAStartSubscribesAgain() {
		PublishedInvalidations subscription = subscription(TestRedis.port());
		RedisCommands<String, String> redis = admin(TestRedis.port());
		subscription.start(this.reconnected::incrementAndGet);
		awaitSubscribers(redis, 1);
		subscription.stop();
		awaitSubscribers(redis, 0);
		redis.publish(this.channel, "while stopped");
		subscription.start(this.reconnected::incrementAndGet);
		awaitSubscribers(redis, 1);
		redis.publish(this.channel, "started again");
		await().atMost(WAIT).until(() -> this.heard.contains("started again"));
		assertThat(this.heard).containsExactly("started again");
	}

	@Test
	void aClosedSubscriptionIsNotMadeWhenRedisComesBack() throws Exception {
		TcpProxy proxy = track(TcpProxy.to(TestRedis.port()));
		proxy.cut();
		PublishedInvalidations subscription = subscription(proxy.port());
		subscription.start(this.reconnected::incrementAndGet);
		await().atMost(WAIT).until(() -> proxy.refusedConnections() >= 1);
		subscription.close();
		proxy.restore();
		RedisCommands<String, String> redis = admin(TestRedis.port());
		await().during(Duration.ofMillis(PublishedInvalidations.RETRY_MILLIS + 500))
			.atMost(WAIT)
			.until(() -> redis.pubsubNumsub(this.channel).get(this.channel) == 0L);
	}

	@Test
	void aLostSubscriptionIsMadeAgainAndTheCallbackRuns() {
		EmbeddedRedis server = track(EmbeddedRedis.start());
		PublishedInvalidations subscription = subscription(server.port());
		RedisCommands<String, String> redis = admin(server.port());
		subscription.start(this.reconnected::incrementAndGet);
		awaitSubscribers(redis, 1);
		assertThat(this.reconnected).as("the first connection is not a reconnection").hasValue(0);
		assertThat(redis.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub())).isEqualTo(1);
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.reconnected).hasValue(1));
		awaitSubscribers(redis, 1);
		redis.publish(this.channel, "after the reconnect");
		await().atMost(WAIT).until(() -> this.heard.contains("after the reconnect"));
	}

	private PublishedInvalidations subscription(int port) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", port);
		this.opened.add(factory::destroy);
		PublishedInvalidations subscription = new PublishedInvalidations(factory,
				this.channel.getBytes(StandardCharsets.UTF_8),
				(message) -> this.heard.add(new String(message, StandardCharsets.UTF_8)));
		return track(subscription);
	}

	private void awaitSubscribers(RedisCommands<String, String> redis, long count) {
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(redis.pubsubNumsub(this.channel)).containsEntry(this.channel, count));
	}

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

}
