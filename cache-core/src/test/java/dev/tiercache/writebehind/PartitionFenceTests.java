package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PartitionFence} over a real lease on the shared Redis: a call is allowed only while this
 * instance holds the partition and Redis confirms its token, and a token Redis no longer has is lost
 * and logged once.
 */
class PartitionFenceTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final QueueKeys keys = new QueueKeys(new RedisKeys(TestRedis.uniquePrefix()), "orders", 1);

	private final FlushGate gate = new FlushGate();

	private final LettuceConnectionFactory factory = TestRedis.connectionFactory();

	private final RemoteCommands commands = RemoteCommands.dedicated(this.factory, TIMEOUT,
			RedisCircuitBreaker.disabled());

	private final OwnerLease lease = lease(this.commands);

	private final PartitionFence fence = fence(this.lease);

	private final List<LogRecord> logged = new CopyOnWriteArrayList<>();

	private final Logger logger = Logger.getLogger(PartitionFlusher.class.getName());

	private final Handler recorder = new Handler() {

		@Override
		public void publish(LogRecord record) {
			PartitionFenceTests.this.logged.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	PartitionFenceTests() {
		this.logger.addHandler(this.recorder);
	}

	@AfterEach
	void close() {
		this.logger.removeHandler(this.recorder);
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.keyCommands().del(this.keys.lease(0));
		}
		this.commands.close();
		this.factory.destroy();
	}

	private OwnerLease lease(RemoteCommands redis) {
		return new OwnerLease(redis, this.keys.lease(0), QueueKeys.ascii("a"), Duration.ofSeconds(30));
	}

	private PartitionFence fence(OwnerLease owned) {
		return new PartitionFence("orders", 0, owned, this.gate, new QueueFailures("orders", this.gate, (letter) -> {
		}));
	}

	private byte[] take(OwnerLease owned) {
		byte[] token = owned.take();
		assertThat(token).as("the partition was free").isNotNull();
		return token;
	}

	/** Another instance takes the partition behind this one's lease (a failover that lost its renewal, say). */
	private void takenOverInRedis() {
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.hashCommands().hSet(this.keys.lease(0), QueueKeys.ascii("token"), QueueKeys.ascii("b:2"));
		}
	}

	private long lostRecords() {
		return this.logged.stream().filter((record) -> record.getMessage().contains("lost partition 0")).count();
	}

	/**
	 * The lease hash is lost (a failover to a replica that lacked it) and its epoch starts again: the
	 * partition taken again gets a token no earlier ownership had, so that the flusher, which claims the
	 * entries earlier owners left whenever its token changes, does not take the new ownership for the old.
	 */
	@Test
	void aPartitionTakenAgainAfterItsLeaseWasLostInRedisGetsANewToken() {
		byte[] first = take(this.lease);
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.keyCommands().del(this.keys.lease(0));
		}
		byte[] second = take(lease(this.commands));
		assertThat(new String(second, StandardCharsets.US_ASCII)).matches("a:1:\\d+\\.\\d{6}")
			.isNotEqualTo(new String(first, StandardCharsets.US_ASCII));
	}

	@Test
	void aCallMayBeMadeWhileThisInstanceHoldsThePartition() {
		byte[] token = take(this.lease);
		assertThat(this.fence.mayCall(token)).isTrue();
		assertThat(this.fence.held(token)).isTrue();
	}

	@Test
	void noCallIsMadeOnceTheQueueHaltedThoughThePartitionIsStillHeld() {
		byte[] token = take(this.lease);
		this.gate.halt();
		assertThat(this.fence.mayCall(token)).isFalse();
		assertThat(this.lease.token()).as("still this instance's").isEqualTo(token);
	}

	@Test
	void noCallIsMadeUnderATokenThisInstanceDoesNotHold() {
		byte[] token = take(this.lease);
		assertThat(this.fence.mayCall(QueueKeys.ascii("a:0"))).isFalse();
		assertThat(this.fence.held(QueueKeys.ascii("a:0"))).isFalse();
		assertThat(this.lease.token()).as("the held token is kept").isEqualTo(token);
	}

	@Test
	void aTokenRedisNoLongerHasStopsTheNextCallAndLosesThePartition() {
		byte[] token = take(this.lease);
		takenOverInRedis();
		await().atMost(WAIT).until(() -> !this.fence.mayCall(token));
		assertThat(this.lease.token()).as("given up locally").isNull();
		assertThat(this.fence.held(token)).isFalse();
		assertThat(lostRecords()).isOne();
	}

	@Test
	void aLostPartitionIsLoggedOncePerToken() {
		byte[] token = take(this.lease);
		this.fence.lost(token);
		this.fence.lost(token);
		assertThat(lostRecords()).isOne();
		assertThat(this.logged.get(0).getMessage()).contains("cache 'orders'", new String(token, StandardCharsets.US_ASCII));
	}

	@Test
	void aRedisThatDoesNotAnswerStopsTheCallButKeepsThePartition() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port());
				LettuceConnectionFactoryCloser proxied = new LettuceConnectionFactoryCloser(
						TestRedis.connectionFactory(TestRedis.host(), proxy.port()));
				RemoteCommands redis = RemoteCommands.dedicated(proxied.factory(), TIMEOUT,
						RedisCircuitBreaker.disabled())) {
			OwnerLease owned = lease(redis);
			PartitionFence proxiedFence = fence(owned);
			byte[] token = take(owned);
			proxy.cut();
			await().atMost(WAIT).until(() -> !proxiedFence.mayCall(token));
			assertThat(owned.token()).as("not lost: Redis did not say another instance took it").isEqualTo(token);
			assertThat(lostRecords()).isZero();
		}
	}

	/** Destroys a connection factory at the end of a try-with-resources block. */
	private record LettuceConnectionFactoryCloser(LettuceConnectionFactory factory) implements AutoCloseable {

		@Override
		public void close() {
			this.factory.destroy();
		}

	}

}
