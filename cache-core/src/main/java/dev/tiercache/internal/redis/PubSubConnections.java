package dev.tiercache.internal.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Opens Tiercache's own Lettuce pub/sub connections on the connection factory's client. Lettuce subscribes
 * such a connection again by itself after it reconnected. On a Redis Cluster it is Lettuce's cluster pub/sub
 * connection: its subscriptions go to one node (every node relays a {@code PUBLISH} to the others) and move
 * to another when that node is lost.
 */
public final class PubSubConnections {

	private PubSubConnections() {
	}

	/**
	 * A new pub/sub connection, which the caller closes.
	 * @throws RuntimeException if Redis cannot be reached, or the factory is stopped
	 */
	public static StatefulRedisPubSubConnection<byte[], byte[]> open(RedisConnectionFactory connectionFactory) {
		AbstractRedisClient client = ((LettuceConnectionFactory) connectionFactory).getNativeClient();
		if (client instanceof RedisClient standalone) {
			return standalone.connectPubSub(ByteArrayCodec.INSTANCE);
		}
		if (client instanceof RedisClusterClient cluster) {
			return cluster.connectPubSub(ByteArrayCodec.INSTANCE);
		}
		throw new IllegalStateException("Unsupported Lettuce client " + client);
	}

}
