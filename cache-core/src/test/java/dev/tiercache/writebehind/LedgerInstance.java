package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.springframework.aop.framework.autoproxy.DefaultAdvisorAutoProxyCreator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.interceptor.TiercacheAdvisor;
import dev.tiercache.interceptor.TiercacheOperationSource;
import dev.tiercache.interceptor.WriteBehindRegistrar;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * One instance of an application with a {@link Ledger}: a Spring context with Tiercache's interceptor
 * and write-behind queues wired by hand, as an application without Spring Boot wires them, over the
 * Redis of its connection factory. Closing it closes the context and the connection factory.
 */
final class LedgerInstance implements AutoCloseable {

	static final String CACHE = "ledger";

	/** Generous, so that a loaded machine does not fail calls the tests expect to pass. */
	static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final LettuceConnectionFactory redis;

	private final AtomicBoolean closed = new AtomicBoolean();

	/**
	 * @param prefix the key prefix, the same for every instance of one test
	 * @param manager customizes the cache manager (its cache {@value #CACHE} has {@code settings})
	 */
	LedgerInstance(String prefix, LettuceConnectionFactory redis, LedgerRows rows, CacheSettings settings,
			WriteBehindSettings writeBehind, UnaryOperator<TieredCacheManager.Builder> manager) {
		this.redis = redis;
		ValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache")));
		TieredCacheManager caches = manager.apply(TieredCacheManager.builder(redis)
			.keyPrefix(prefix)
			.codec(codec)
			.redisTimeout(REDIS_TIMEOUT)
			.cache(CACHE, settings)).build();
		this.context.registerBean("cacheManager", TieredCacheManager.class, () -> caches);
		this.context.registerBean(WriteBehindQueues.class,
				() -> new WriteBehindQueues(caches, codec, writeBehind, Map.of()),
				(definition) -> definition.setDestroyMethodName("close"));
		this.context.registerBean(TiercacheOperationSource.class, () -> new TiercacheOperationSource(() -> caches,
				() -> this.context.getBean(WriteBehindQueues.class), null));
		this.context.registerBean(WriteBehindRegistrar.class,
				() -> new WriteBehindRegistrar(this.context.getBean(TiercacheOperationSource.class)));
		this.context.registerBean(TiercacheAdvisor.class,
				() -> new TiercacheAdvisor(this.context.getBean(TiercacheOperationSource.class)));
		this.context.registerBean(DefaultAdvisorAutoProxyCreator.class);
		this.context.registerBean("ledger", Ledger.class, () -> new Ledger(rows));
		this.context.refresh();
	}

	private static RedisCircuitBreaker breaker(TieredCacheManager caches) {
		RedisCircuitBreaker breaker = caches.redisCircuitBreaker();
		return (breaker != null) ? breaker : RedisCircuitBreaker.disabled();
	}

	/**
	 * Write-behind settings for tests: flushed every 20 ms, retried after 20 ms, drained for at most 2 s,
	 * durability confirmed within 1 s.
	 */
	static WriteBehindSettings writeBehind(Durability durability) {
		return writeBehind(durability, Duration.ofSeconds(1));
	}

	/** {@link #writeBehind(Durability)}, with durability confirmed within {@code durabilityTimeout}. */
	static WriteBehindSettings writeBehind(Durability durability, Duration durabilityTimeout) {
		return new WriteBehindSettings(100, Duration.ofMillis(20), 2, 8, 5, Duration.ofMillis(20),
				Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2), durability, 1, durabilityTimeout);
	}

	Ledger ledger() {
		return this.context.getBean(Ledger.class);
	}

	TieredCache cache() {
		return this.context.getBean(TieredCacheManager.class).getTieredCache(CACHE);
	}

	RedisCircuitBreaker breaker() {
		return breaker(this.context.getBean(TieredCacheManager.class));
	}

	WriteBehindQueues queues() {
		return this.context.getBean(WriteBehindQueues.class);
	}

	WriteBehindStats stats() {
		return queues().stats(CACHE);
	}

	/** Closes the context and the connection factory; closing again does nothing. */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.context.close();
			this.redis.destroy();
		}
	}

}
