package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.internal.write.StagedWrite;
import dev.tiercache.test.TestRedis;

/**
 * Builds managers against the shared test Redis with a prefix of their own, as separate
 * "instances" of one application would be, and closes everything it built.
 */
final class TierFixture implements AutoCloseable {

	final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private final LettuceConnectionFactory inspector = TestRedis.connectionFactory();

	/** A cache of a new manager (an instance of its own), in the given mode. */
	TieredCache cache(String cacheName, CacheMode mode) {
		return manager(cacheName, (settings) -> settings.withMode(mode)).getTieredCache(cacheName);
	}

	TieredCacheManager manager(String cacheName, UnaryOperator<CacheSettings> settings) {
		return manager(TestRedis.connectionFactory(), cacheName, settings);
	}

	TieredCacheManager manager(LettuceConnectionFactory connectionFactory, String cacheName,
			UnaryOperator<CacheSettings> settings) {
		return manager(connectionFactory, cacheName, settings, UnaryOperator.identity());
	}

	TieredCacheManager manager(LettuceConnectionFactory connectionFactory, String cacheName,
			UnaryOperator<CacheSettings> settings, UnaryOperator<TieredCacheManager.Builder> customizer) {
		this.closeables.add(connectionFactory::destroy);
		TieredCacheManager manager = customizer.apply(TieredCacheManager.builder(connectionFactory)
			.keyPrefix(this.prefix)
			.codec(codec())
			.cache(cacheName, settings.apply(CacheSettings.DEFAULTS)))
			.build();
		manager.afterPropertiesSet();
		TestRedis.awaitStartupResynchronization(manager);
		this.closeables.add(0, manager::destroy);
		return manager;
	}

	/** The codec the managers use. */
	ValueCodec codec() {
		return new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache")));
	}

	/** Closes a manager now (an instance shutting down); closing it again at the end is harmless. */
	void closeNow(TieredCacheManager manager) throws Exception {
		manager.destroy();
	}

	/** The raw bytes Redis holds at a key of this fixture's prefix. */
	byte @Nullable [] rawGet(String key) {
		try (RedisConnection connection = this.inspector.getConnection()) {
			return connection.stringCommands().get(key.getBytes(StandardCharsets.UTF_8));
		}
	}

	/** The raw bytes another Redis server holds at a key. */
	byte @Nullable [] rawGetFrom(int port, String key) {
		LettuceConnectionFactory other = TestRedis.connectionFactory("127.0.0.1", port);
		try (RedisConnection connection = other.getConnection()) {
			return connection.stringCommands().get(key.getBytes(StandardCharsets.UTF_8));
		}
		finally {
			other.destroy();
		}
	}

	void rawSet(String key, byte[] value) {
		try (RedisConnection connection = this.inspector.getConnection()) {
			connection.stringCommands().set(key.getBytes(StandardCharsets.UTF_8), value);
		}
	}

	/** Applies a staged write as the write-behind queue's script does: on a connection of its own. */
	void apply(StagedWrite write) {
		byte[][] keys = write.keys();
		byte[][] keysAndArguments = Arrays.copyOf(keys, keys.length + 3);
		keysAndArguments[keys.length] = write.channel();
		keysAndArguments[keys.length + 1] = write.framed();
		keysAndArguments[keys.length + 2] = write.ttlArgument();
		try (RedisConnection connection = this.inspector.getConnection()) {
			connection.scriptingCommands().eval(StagedWrite.APPLY.getBytes(StandardCharsets.UTF_8), ReturnType.STATUS,
					keys.length, keysAndArguments);
		}
	}

	void rawDelete(String key) {
		try (RedisConnection connection = this.inspector.getConnection()) {
			connection.keyCommands().del(key.getBytes(StandardCharsets.UTF_8));
		}
	}

	/** Makes the shared Redis hold back write commands and scripts (reads go on) for a while. */
	void pauseWrites(long millis) {
		try (RedisConnection connection = this.inspector.getConnection()) {
			connection.execute("CLIENT", "PAUSE".getBytes(StandardCharsets.US_ASCII),
					Long.toString(millis).getBytes(StandardCharsets.US_ASCII), "WRITE".getBytes(StandardCharsets.US_ASCII));
		}
	}

	/** Drops every normal client connection to the shared Redis but the fixture's own. */
	void killClientConnections() {
		killClientConnections(KillArgs.Builder.typeNormal());
	}

	/** Drops every pub/sub connection to the shared Redis. */
	void killSubscriptions() {
		killClientConnections(KillArgs.Builder.typePubsub());
	}

	private void killClientConnections(KillArgs kill) {
		RedisClient client = RedisClient.create(RedisURI.create(TestRedis.host(), TestRedis.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().clientKill(kill.skipme());
		}
		finally {
			client.shutdown();
		}
	}

	long rawTtlMillis(String key) {
		try (RedisConnection connection = this.inspector.getConnection()) {
			Long ttl = connection.keyCommands().pTtl(key.getBytes(StandardCharsets.UTF_8));
			return (ttl != null) ? ttl : -2;
		}
	}

	/** The value key of an entry in a cache that was never cleared (namespace 0). */
	String valueKey(String cacheName, String renderedKey) {
		return this.prefix + ":{" + cacheName + ":0:" + renderedKey + "}";
	}

	String lockKey(String cacheName, String renderedKey) {
		return this.prefix + ":lock:{" + cacheName + ":0:" + renderedKey + "}";
	}

	@Override
	public void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		try (RedisConnection connection = this.inspector.getConnection()) {
			List<byte[]> keys = new ArrayList<>(
					connection.keyCommands().keys((this.prefix + ":*").getBytes(StandardCharsets.UTF_8)));
			for (int from = 0; from < keys.size(); from += 1000) {
				connection.keyCommands().del(keys.subList(from, Math.min(keys.size(), from + 1000)).toArray(byte[][]::new));
			}
		}
		this.inspector.destroy();
	}

}
