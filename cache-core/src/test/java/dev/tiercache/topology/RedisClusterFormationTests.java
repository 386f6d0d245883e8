package dev.tiercache.topology;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The cluster the topology tests run on ({@link RedisCluster}), as Spring Data sees it through
 * {@code spring.data.redis.cluster.nodes}: three primaries that share every slot, each with a replica
 * that follows it, and servers that refuse a multi-key command whose keys hash to different slots (so
 * a script of Tiercache's that strayed over slots would fail there, not pass by accident).
 */
class RedisClusterFormationTests {

	private static RedisCluster cluster;

	private static LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void start() {
		cluster = RedisCluster.start();
		connectionFactory = cluster.connectionFactory();
	}

	@AfterAll
	static void stop() {
		if (connectionFactory != null) {
			connectionFactory.destroy();
		}
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void threePrimariesShareEverySlotEachWithAReplica() {
		List<RedisClusterNode> nodes = new ArrayList<>();
		try (RedisClusterConnection connection = connectionFactory.getClusterConnection()) {
			connection.clusterGetNodes().forEach(nodes::add);
		}
		List<RedisClusterNode> primaries = nodes.stream().filter(RedisClusterNode::isMaster).toList();
		assertThat(primaries).hasSize(3);
		assertThat(primaries.stream().mapToInt((node) -> node.getSlotRange().getSlots().size()).sum())
			.isEqualTo(RedisCluster.SLOTS);
		assertThat(nodes.stream().filter(RedisClusterNode::isReplica))
			.hasSize(3)
			.extracting(RedisClusterNode::getMasterId)
			.containsExactlyInAnyOrderElementsOf(primaries.stream().map(RedisClusterNode::getId).toList());
	}

	@Test
	void keysOfEverySlotRangeAreWrittenAndReadThroughTheClusterAndReachTheReplicas() {
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
		for (int i = 0; i < 30; i++) {
			redis.opsForValue().set("formation:" + i, "v" + i);
		}
		for (int i = 0; i < 30; i++) {
			assertThat(redis.opsForValue().get("formation:" + i)).isEqualTo("v" + i);
		}
		long onPrimaries = cluster.primaries().stream()
			.mapToLong((node) -> cluster.onNode(node.port(), (commands) -> commands.dbsize()))
			.filter((keys) -> keys > 0)
			.count();
		assertThat(onPrimaries).as("primaries holding some of the keys").isEqualTo(3);
		await().untilAsserted(() -> assertThat(cluster.replicas().stream()
			.mapToLong((node) -> cluster.onNode(node.port(), (commands) -> commands.dbsize()))
			.sum()).as("keys on the replicas").isEqualTo(30));
	}

	@Test
	void aMultiKeyCommandOverTwoSlotsIsRefused() {
		EmbeddedRedis primary = cluster.primaries().get(0);
		String slotOfA = "{a}x";
		String slotOfB = "{b}x";
		String mget = "return redis.call('mget', KEYS[1], KEYS[2])";
		assertThatExceptionOfType(RedisCommandExecutionException.class)
			.isThrownBy(() -> cluster.onNode(primary.port(),
					(commands) -> commands.eval(mget, ScriptOutputType.MULTI, slotOfA, slotOfB)))
			.withMessageContaining("CROSSSLOT");
	}

}
