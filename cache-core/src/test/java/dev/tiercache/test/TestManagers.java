package dev.tiercache.test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;

/**
 * Builds started {@link TieredCacheManager}s for tests of the packages above the tier, and closes
 * everything it built: local-only managers, and managers on the shared test Redis under a key prefix
 * of their own (the managers of one {@code TestManagers} are instances of one application). Closing
 * deletes the prefix's keys.
 */
public final class TestManagers implements AutoCloseable {

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private boolean usedRedis;

	/** The key prefix of the managers on Redis. */
	public String prefix() {
		return this.prefix;
	}

	/** A manager of {@link CacheMode#LOCAL} caches of these names, creating no others. */
	public TieredCacheManager local(String... cacheNames) {
		return started(TieredCacheManager.builder(null).dynamic(false), CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL),
				cacheNames);
	}

	/**
	 * A manager of {@link CacheMode#LOCAL} caches of these names, its builder (which creates no other
	 * caches) shaped by {@code customizer}.
	 */
	public TieredCacheManager local(UnaryOperator<TieredCacheManager.Builder> customizer, String... cacheNames) {
		return started(customizer.apply(TieredCacheManager.builder(null).dynamic(false)),
				CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL), cacheNames);
	}

	/** A manager on the shared Redis with caches of these names and settings, creating no others. */
	public TieredCacheManager redis(CacheSettings settings, String... cacheNames) {
		return redis(UnaryOperator.identity(), settings, cacheNames);
	}

	/** A manager on the shared Redis, its builder shaped by {@code customizer}. */
	public TieredCacheManager redis(UnaryOperator<TieredCacheManager.Builder> customizer, CacheSettings settings,
			String... cacheNames) {
		LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();
		this.closeables.add(connectionFactory::destroy);
		this.usedRedis = true;
		TieredCacheManager.Builder builder = TieredCacheManager.builder(connectionFactory)
			.keyPrefix(this.prefix)
			.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))))
			.dynamic(false);
		return started(customizer.apply(builder), settings, cacheNames);
	}

	private TieredCacheManager started(TieredCacheManager.Builder builder, CacheSettings settings,
			String... cacheNames) {
		for (String name : cacheNames) {
			builder.cache(name, settings);
		}
		TieredCacheManager manager = builder.build();
		manager.afterPropertiesSet();
		TestRedis.awaitStartupResynchronization(manager);
		manager.start();
		this.closeables.add(0, manager::destroy);
		return manager;
	}

	@Override
	public void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		this.closeables.clear();
		if (!this.usedRedis) {
			return;
		}
		LettuceConnectionFactory inspector = TestRedis.connectionFactory();
		try (RedisConnection connection = inspector.getConnection()) {
			Set<byte[]> keys = connection.keyCommands().keys((this.prefix + ":*").getBytes(StandardCharsets.UTF_8));
			if (keys != null && !keys.isEmpty()) {
				connection.keyCommands().del(keys.toArray(byte[][]::new));
			}
		}
		finally {
			inspector.destroy();
		}
	}

}
