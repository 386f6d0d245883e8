package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a partition's stream gives its owner to apply, on a real Redis: never an entry newer than one
 * it read and has not acknowledged, whatever the order its reads reach Redis in.
 */
class PartitionStreamTests {

	private final QueueKeys keys = new QueueKeys(new RedisKeys(TestRedis.uniquePrefix()), "orders", 1);

	private final LettuceConnectionFactory factory = TestRedis.connectionFactory();

	private final RemoteCommands commands = RemoteCommands.dedicated(this.factory, Duration.ofSeconds(2),
			RedisCircuitBreaker.disabled());

	private final OwnerLease lease = new OwnerLease(this.commands, this.keys.lease(0), QueueKeys.ascii("a"),
			Duration.ofSeconds(30));

	private final PartitionStream stream = new PartitionStream(this.commands, this.keys, 0, QueueKeys.ascii("a"), 1);

	@AfterEach
	void close() {
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.keyCommands().del(this.keys.lease(0), this.keys.stream(0));
		}
		this.commands.close();
		this.factory.destroy();
	}

	@Test
	void aReadOfNewEntriesGivesTheOwnersUnacknowledgedOnesFirst() {
		assertThat(this.commands.connect(Duration.ofSeconds(10))).isTrue();
		byte[] token = this.lease.take();
		assertThat(token).isNotNull();
		this.stream.createGroup();
		String first = add("first");
		String second = add("second");
		// a read whose reply never came (its connection was killed and replaced): its entry is pending
		List<QueueEntry> lost = this.stream.read(token, ">").entries();
		assertThat(lost).extracting(QueueEntry::id).containsExactly(first);
		// the flusher, not knowing, reads new entries again
		assertThat(this.stream.read(token, ">").entries()).extracting(QueueEntry::id)
			.as("the unacknowledged entry, before any newer one of the partition")
			.containsExactly(first);
		assertThat(second).isNotEqualTo(first);
	}

	private String add(String key) {
		try (RedisConnection connection = this.factory.getConnection()) {
			Map<byte[], byte[]> body = Map.of(QueueEntry.KEY.getBytes(StandardCharsets.UTF_8),
					key.getBytes(StandardCharsets.UTF_8));
			return connection.streamCommands().xAdd(this.keys.stream(0), body).getValue();
		}
	}

}
