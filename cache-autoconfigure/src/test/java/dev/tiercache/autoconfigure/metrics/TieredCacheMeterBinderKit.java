package dev.tiercache.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinderCompatibilityKit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.awaitility.Awaitility.await;

/**
 * Micrometer's {@link CacheMeterBinderCompatibilityKit} over {@link TieredCacheMeterBinder}, for a
 * cache {@code mycache} in one mode (on the shared test Redis unless local). As in Micrometer's own
 * kit for Caffeine, whose binder also counts loads as puts, the kit's {@code put} is a load, followed
 * by puts of the same value until the entry is in L1 (a put counts nothing the kit reads): right after
 * start-up, the clear that follows setting up tracking may revoke the load's L1 entry, or remove it.
 * Its {@code get} is a plain read. Dereferencing the cache drops the manager that holds it too.
 */
abstract class TieredCacheMeterBinderKit extends CacheMeterBinderCompatibilityKit<TieredCache> {

	private final CacheMode mode;

	private @Nullable LettuceConnectionFactory connectionFactory;

	private @Nullable TieredCacheManager manager;

	TieredCacheMeterBinderKit(CacheMode mode) {
		this.mode = mode;
	}

	@Override
	public TieredCache createCache() {
		TieredCacheManager.Builder builder;
		if (this.mode == CacheMode.LOCAL) {
			builder = TieredCacheManager.builder(null);
		}
		else {
			this.connectionFactory = TestRedis.connectionFactory();
			builder = TieredCacheManager.builder(this.connectionFactory)
				.keyPrefix(TestRedis.uniquePrefix())
				.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache"))));
		}
		TieredCacheManager created = builder.dynamic(false)
			.cache("mycache", CacheSettings.DEFAULTS.withMode(this.mode))
			.build();
		created.afterPropertiesSet();
		this.manager = created;
		return created.getTieredCache("mycache");
	}

	@Override
	public CacheMeterBinder<TieredCache> binder() {
		return new TieredCacheMeterBinder(this.cache, List.of());
	}

	@Override
	public void put(String key, String value) {
		this.cache.get(key, String.class, () -> value);
		if (this.cache.settings().usesLocal()) {
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				if (this.cache.localSize() == 0) {
					this.cache.put(key, value);
				}
				return this.cache.localSize() > 0;
			});
		}
	}

	@Override
	public @Nullable String get(String key) {
		return this.cache.get(key, String.class);
	}

	@Override
	public void dereferenceCache() {
		super.dereferenceCache();
		closeManager();
	}

	@AfterEach
	void close() throws Exception {
		closeManager();
		LettuceConnectionFactory factory = this.connectionFactory;
		if (factory != null) {
			factory.destroy();
		}
	}

	private void closeManager() {
		TieredCacheManager current = this.manager;
		this.manager = null;
		if (current != null) {
			try {
				current.destroy();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

}
