package dev.tiercache.autoconfigure;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.interceptor.TiercacheAdvisor;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.tracing.CacheTracer;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TiercacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TiercacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port());

	@Test
	void lettuceReconnectsAtLeastOnceASecondAfterALongOutage() {
		this.runner.run((context) -> assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(30))
			.isEqualTo(Duration.ofSeconds(1)));
		this.runner.withPropertyValues("tiercache.redis.max-reconnect-delay=250ms")
			.run((context) -> assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(30))
				.isEqualTo(Duration.ofMillis(250)));
		this.runner.withPropertyValues("tiercache.redis.max-reconnect-delay=0")
			.run((context) -> assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(30))
				.as("Lettuce's own cap").isEqualTo(Duration.ofSeconds(30)));
	}

	/** Issue 20, tracing: the caches' loads are traced as observations when the application has a registry. */
	@Test
	void cachesAreTracedThroughTheApplicationsObservationRegistry() {
		this.runner.withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context.getBean(TieredCacheManager.class).getTieredCache("books").tracer())
				.as("no ObservationRegistry").isSameAs(CacheTracer.NONE));
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withPropertyValues("tiercache.cache-names=books")
			.withBean(ObservationRegistry.class, () -> registry)
			.run((context) -> {
				TieredCache books = context.getBean(TieredCacheManager.class).getTieredCache("books");
				assertThat(books.tracer()).isNotSameAs(CacheTracer.NONE);
				books.get("tracing-" + System.nanoTime(), () -> "loaded");
				TestObservationRegistryAssert.assertThat(registry)
					.hasObservationWithNameEqualTo("tiercache.load")
					.that()
					.hasLowCardinalityKeyValue("cache", "books");
			});
	}

	@Test
	void declaredCachesGetDefaultSettings() {
		this.runner.withPropertyValues("tiercache.cache-names=books,authors").run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			assertThat(manager.getCacheNames()).containsExactly("books", "authors");
			assertThat(manager.getTieredCache("books").settings()).isEqualTo(CacheSettings.DEFAULTS);
			assertThat(context).hasSingleBean(TiercacheAdvisor.class).hasSingleBean(CachingConfigurer.class);
		});
	}

	@Test
	void perCacheSettingsOverrideDefaultsWhichOverrideBuiltIns() {
		this.runner
			.withPropertyValues("tiercache.cache-names=plain", "tiercache.defaults.ttl=5m", "tiercache.defaults.ttl-jitter=20",
					"tiercache.defaults.local.max-size=500", "tiercache.caches.books.ttl=2h",
					"tiercache.caches.books.mode=local", "tiercache.caches.books.null-ttl=7s",
					"tiercache.caches.books.local.ttl=3s", "tiercache.caches.books.local.max-size=40000",
					"tiercache.caches.books.lock.lease=9s", "tiercache.caches.books.lock.wait=11s",
					"tiercache.defaults.allow-null-values=false", "tiercache.caches.books.allow-null-values=true")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				CacheSettings plain = manager.getTieredCache("plain").settings();
				assertThat(plain.ttl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(plain.ttlJitter()).isEqualTo(20);
				assertThat(plain.localMaxSize()).isEqualTo(500);
				assertThat(plain.mode()).isEqualTo(CacheMode.BOTH);
				assertThat(plain.allowNullValues()).isFalse();
				CacheSettings books = manager.getTieredCache("books").settings();
				assertThat(books.ttl()).isEqualTo(Duration.ofHours(2));
				assertThat(books.ttlJitter()).isEqualTo(20);
				assertThat(books.mode()).isEqualTo(CacheMode.LOCAL);
				assertThat(books.nullTtl()).isEqualTo(Duration.ofSeconds(7));
				assertThat(books.localTtl()).isEqualTo(Duration.ofSeconds(3));
				assertThat(books.localMaxSize()).isEqualTo(40000);
				assertThat(books.lockLease()).isEqualTo(Duration.ofSeconds(9));
				assertThat(books.lockWait()).isEqualTo(Duration.ofSeconds(11));
				assertThat(books.allowNullValues()).isTrue();
			});
	}

	@Test
	void keyPrefixDefaultsToApplicationName() {
		this.runner.withPropertyValues("spring.application.name=orders", "tiercache.cache-names=a")
			.run((context) -> assertThat(context.getBean(TieredCacheManager.class).keyPrefix()).isEqualTo("orders"));
		this.runner.withPropertyValues("tiercache.cache-names=a")
			.run((context) -> assertThat(context.getBean(TieredCacheManager.class).keyPrefix()).isEqualTo("tiercache"));
		this.runner.withPropertyValues("spring.application.name=orders", "tiercache.key-prefix=shop", "tiercache.cache-names=a")
			.run((context) -> assertThat(context.getBean(TieredCacheManager.class).keyPrefix()).isEqualTo("shop"));
	}

	/** Issue 16 item 20: with ':' in the prefix, the prefixes 'app' and 'app:lock' would share keys. */
	@Test
	void keyPrefixWithTheKeySeparatorFailsNamingThePropertyAndTheBuilderMethod() {
		this.runner.withPropertyValues("tiercache.key-prefix=app:lock", "tiercache.cache-names=a")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidTiercachePropertyException.class)
				.hasMessageContaining("'tiercache.key-prefix' = 'app:lock'")
				.hasMessageContaining("free of ':'")
				.hasMessageContaining("TieredCacheManager.Builder.keyPrefix"));
	}

	/** Issue 16 item 20: an application name, the default prefix, may hold ':'; the prefix does not. */
	@Test
	void applicationNameWithTheKeySeparatorGivesAPrefixWithout() {
		this.runner.withPropertyValues("spring.application.name=shop:orders{eu}", "tiercache.cache-names=a")
			.run((context) -> {
				assertThat(context.getBean(TieredCacheManager.class).keyPrefix()).isEqualTo("shop-orders-eu-");
				assertThat(context).hasSingleBean(WriteBehindQueues.class);
			});
	}

	@Test
	void applicationStartsAndServesFromTheMethodWhileRedisIsDown() throws Exception {
		int deadPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			deadPort = socket.getLocalPort();
		}
		this.runner.withUserConfiguration(CountingService.class)
			.withPropertyValues("spring.data.redis.port=" + deadPort, "tiercache.cache-names=books")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				CountingService service = context.getBean(CountingService.class);
				assertThat(service.find(1)).isEqualTo("book 1");
				assertThat(service.find(1)).as("served from L1").isEqualTo("book 1");
				CacheStats stats = context.getBean(TieredCacheManager.class).getTieredCache("books").stats();
				assertThat(stats.loads()).isEqualTo(1);
				assertThat(stats.localHits()).isEqualTo(1);
				assertThat(stats.remoteErrors()).isPositive();
			});
	}

	@Test
	void applicationCodecReplacesTheDefault() {
		this.runner.withUserConfiguration(OwnCodec.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> {
				assertThat(context).hasSingleBean(ValueCodec.class);
				assertThat(context.getBean(ValueCodec.class)).isSameAs(context.getBean(OwnCodec.class).codec);
			});
	}

	@Test
	void backsOffWhenApplicationDefinesCacheManager() {
		this.runner.withUserConfiguration(OwnCacheManager.class).withPropertyValues("tiercache.cache-names=a")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TieredCacheManager.class);
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
			});
	}

	@Test
	void backsOffWhenDisabled() {
		this.runner.withPropertyValues("tiercache.enabled=false", "tiercache.cache-names=a")
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheManager.class)
				.doesNotHaveBean(TiercacheAdvisor.class));
	}

	@Test
	void backsOffWithoutSpringDataRedis() {
		this.runner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheManager.class));
	}

	@Test
	void breakerSettingsReachTheBreakerThatWriteBehindSharesWithTheManager() {
		this.runner
			.withPropertyValues("tiercache.cache-names=books", "tiercache.redis.breaker.failure-rate-threshold=25",
					"tiercache.redis.breaker.slow-call-duration-threshold=40ms",
					"tiercache.redis.breaker.sliding-window-size=30", "tiercache.redis.breaker.minimum-number-of-calls=5",
					"tiercache.redis.breaker.wait-duration-in-open-state=2s",
					"tiercache.redis.breaker.permitted-number-of-calls-in-half-open-state=1")
			.run((context) -> {
				RedisCircuitBreaker breaker = context.getBean(TieredCacheManager.class).redisCircuitBreaker();
				CircuitBreakerConfig config = breaker.circuitBreaker().getCircuitBreakerConfig();
				assertThat(config.getFailureRateThreshold()).isEqualTo(25);
				assertThat(config.getSlowCallRateThreshold()).as("default").isEqualTo(50);
				assertThat(config.getSlowCallDurationThreshold()).isEqualTo(Duration.ofMillis(40));
				assertThat(config.getSlidingWindowSize()).isEqualTo(30);
				assertThat(config.getMinimumNumberOfCalls()).isEqualTo(5);
				assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(2000);
				assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(1);
				assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
			});
	}

	@Test
	void aDisabledBreakerNeverOpens() {
		this.runner.withPropertyValues("tiercache.cache-names=books", "tiercache.redis.breaker.enabled=false")
			.run((context) -> {
				RedisCircuitBreaker breaker = context.getBean(TieredCacheManager.class).redisCircuitBreaker();
				for (int i = 0; i < 100; i++) {
					breaker.failed(1_000_000, new IllegalStateException("Redis down"));
				}
				assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.DISABLED);
				assertThat(breaker.admits()).isTrue();
			});
	}

	@Test
	void anOutOfRangeBreakerSettingFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.redis.breaker.failure-rate-threshold=0").run((context) -> assertThat(context)
			.getFailure()
			.rootCause()
			.isInstanceOf(InvalidTiercachePropertyException.class)
			.hasMessageContaining("'tiercache.redis.breaker.failure-rate-threshold' = '0.0'")
			.hasMessageContaining("must be greater than 0"));
	}

	@Test
	void anUnknownReadFromFailsNamingThePropertyAndTheSettings() {
		this.runner.withPropertyValues("tiercache.redis.read-from=replicas-please").run((context) -> assertThat(context)
			.getFailure()
			.rootCause()
			.isInstanceOf(InvalidTiercachePropertyException.class)
			.hasMessageContaining("'tiercache.redis.read-from' = 'replicas-please'")
			.hasMessageContaining("replica-preferred"));
	}

	@Test
	void readFromTakesSpringBootsNamesForLettucesSettings() {
		assertThat(ReadFromBinder.readFrom("replica-preferred")).isSameAs(ReadFrom.REPLICA_PREFERRED);
		assertThat(ReadFromBinder.readFrom("any-replica")).isSameAs(ReadFrom.ANY_REPLICA);
		assertThat(ReadFromBinder.readFrom("lowest-latency")).isSameAs(ReadFrom.LOWEST_LATENCY);
		assertThat(ReadFromBinder.readFrom("UPSTREAM")).isSameAs(ReadFrom.UPSTREAM);
		assertThat(ReadFromBinder.readFrom("subnet:10.0.0.0/8")).isNotNull();
		assertThat(ReadFromBinder.readFrom(" ")).isNull();
	}

	@Test
	void negativeTtlFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.caches.books.ttl=-1s").run((context) -> assertThat(context)
			.getFailure()
			.rootCause()
			.isInstanceOf(InvalidTiercachePropertyException.class)
			.hasMessageContaining("'tiercache.caches.books.ttl'")
			.hasMessageContaining("must be positive"));
	}

	@Test
	void jitterOverOneHundredPercentFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.defaults.ttl-jitter=150", "tiercache.cache-names=a")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'tiercache.defaults.ttl-jitter' = '150'")
				.hasMessageContaining("between 0 and 100"));
	}

	@Test
	void invalidDurationTextFailsAtBinding() {
		this.runner.withPropertyValues("tiercache.defaults.ttl=ten minutes", "tiercache.cache-names=a")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void failureAnalysisNamesThePropertyToReview() {
		InvalidTiercachePropertyException failure = new InvalidTiercachePropertyException("tiercache.redis.timeout",
				Duration.ZERO, "must be positive");
		FailureAnalysis analysis = new InvalidTiercachePropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).contains("tiercache.redis.timeout");
		assertThat(analysis.getAction()).isEqualTo("Review the value of the property 'tiercache.redis.timeout'.");
	}

	@Test
	void cacheAsideOnUndeclaredCacheFailsAtStartupWhenDynamicCachesAreOff() {
		this.runner.withUserConfiguration(UnknownCacheService.class)
			.withPropertyValues("tiercache.cache-names=books", "tiercache.dynamic=false")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@CacheAside(cache = \"nope\") on")
				.hasStackTraceContaining("UnknownCacheService.find(long)")
				.hasStackTraceContaining("known caches are [books]")
				.hasStackTraceContaining("tiercache.caches.nope")
				.hasStackTraceContaining("tiercache.dynamic=true"));
	}

	@Test
	void cacheAsideOnUndeclaredCacheCreatesItWithTheDefaults() {
		this.runner.withUserConfiguration(UnknownCacheService.class)
			.withPropertyValues("tiercache.cache-names=books", "tiercache.defaults.ttl=7m")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCacheNames()).contains("nope");
				assertThat(manager.getTieredCache("nope").settings().ttl()).isEqualTo(Duration.ofMinutes(7));
			});
	}

	@Test
	void cacheNameWithKeyDelimiterFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.cache-names=a:b")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'tiercache.cache-names' = 'a:b'")
				.hasMessageContaining("must not contain ':'"));
	}

	@Test
	void cacheAsideWithInvalidSpelFailsAtStartup() {
		this.runner.withUserConfiguration(BadSpelService.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@CacheAside(key = \"#id +\")")
				.hasStackTraceContaining("BadSpelService.find(long)")
				.hasStackTraceContaining("is not valid SpEL"));
	}

	@Test
	void cacheAsideWithUndefinedVariableFailsAtStartup() {
		this.runner.withUserConfiguration(UndefinedVariableService.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("refers to #idd, which is not defined")
				.hasStackTraceContaining("the parameters are id"));
	}

	@Test
	void cacheAsideOnFinalMethodFailsAtStartup() {
		this.runner.withUserConfiguration(FinalMethodService.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@CacheAside on final method")
				.hasStackTraceContaining("Make the method public, non-static and non-final"));
	}

	@Test
	void aMethodThatWouldCacheAFieldNamedInNeverCacheFieldsFailsAtStartup() {
		this.runner.withUserConfiguration(PersonService.class).withPropertyValues("tiercache.cache-names=people")
			.run((context) -> assertThat(context).hasNotFailed());
		this.runner.withUserConfiguration(PersonService.class)
			.withPropertyValues("tiercache.cache-names=people", "tiercache.never-cache.fields=SSN,*token*")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@CacheAside method public dev.tiercache.autoconfigure."
						+ "TiercacheAutoConfigurationTests$Person dev.tiercache.autoconfigure."
						+ "TiercacheAutoConfigurationTests$PersonService.find(long)")
				.hasStackTraceContaining("Person.ssn (matches tiercache.never-cache.fields)"));
		this.runner.withUserConfiguration(PersonService.class)
			.withPropertyValues("tiercache.cache-names=people", "tiercache.never-cache.types=*$Person")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("matches tiercache.never-cache.types"));
	}

	@Test
	void encryptionPropertiesEncryptTheNamedCachesAndBadOnesFailNamingTheProperty() {
		String key = Base64.getEncoder().encodeToString(new byte[32]);
		this.runner.withPropertyValues("tiercache.key-prefix=" + TestRedis.uniquePrefix(),
				"tiercache.cache-names=plain", "tiercache.caches.secret.encryption=true",
				"tiercache.encryption.current-key=k1", "tiercache.encryption.keys.k1=" + key)
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				manager.getTieredCache("secret").put(1, "sealed");
				manager.getTieredCache("plain").put(1, "open");
				StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
				String prefix = context.getEnvironment().getProperty("tiercache.key-prefix");
				assertThat(redis.keys(prefix + ":{secret:*")).singleElement()
					.satisfies((stored) -> assertThat(redis.opsForValue().get(stored)).doesNotContain("sealed"));
				assertThat(redis.keys(prefix + ":{plain:*")).singleElement()
					.satisfies((stored) -> assertThat(redis.opsForValue().get(stored)).contains("open"));
			});
		this.runner.withPropertyValues("tiercache.caches.secret.encryption=true")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("tiercache.encryption.current-key"));
		this.runner.withPropertyValues("tiercache.caches.secret.encryption=true", "tiercache.encryption.current-key=k1",
				"tiercache.encryption.keys.k1=" + Base64.getEncoder().encodeToString(new byte[7]))
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("tiercache.encryption.keys.k1")
				.hasStackTraceContaining("must be an AES key of 128, 192 or 256 bits"));
	}

	@Test
	void bulkheadPropertiesBoundACachesConcurrentLoadsAndBadOnesFailNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.key-prefix=" + TestRedis.uniquePrefix(), "tiercache.cache-names=open",
				"tiercache.caches.bounded.bulkhead.max-concurrent-loads=1",
				"tiercache.caches.bounded.bulkhead.max-wait=0ms")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				TieredCache bounded = manager.getTieredCache("bounded");
				CountDownLatch loading = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> bounded.get(1, () -> {
					loading.countDown();
					release.await(10, TimeUnit.SECONDS);
					return "first";
				}));
				assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
				assertThatExceptionOfType(BulkheadFullException.class)
					.isThrownBy(() -> bounded.get(2, () -> "second"));
				assertThat(manager.getTieredCache("open").get(2, () -> "unbounded")).isEqualTo("unbounded");
				release.countDown();
				assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("first");
				assertThat(bounded.stats().loadsRejected()).isEqualTo(1);
			});
		this.runner.withPropertyValues("tiercache.defaults.bulkhead.max-concurrent-loads=-1")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("tiercache.defaults.bulkhead.max-concurrent-loads"));
	}

	@Test
	void aNewKeyCapLimitsACachesLoadsPerSecondAndABadOneFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.key-prefix=" + TestRedis.uniquePrefix(), "tiercache.cache-names=open",
				"tiercache.caches.capped.bulkhead.max-new-keys-per-second=2")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				TieredCache capped = manager.getTieredCache("capped");
				// within one second at most two periods' permits: two, or four if a period turned meanwhile
				long loaded = IntStream.range(0, 10).filter((key) -> {
					try {
						capped.get(key, () -> "loaded");
						return true;
					}
					catch (RequestNotPermitted ex) {
						return false;
					}
				}).count();
				assertThat(loaded).isBetween(2L, 4L);
				assertThat(capped.stats().loadsRejected()).isEqualTo(10 - loaded);
				assertThat(IntStream.range(0, 10).mapToObj((key) -> manager.getTieredCache("open").get(key, () -> "v")))
					.as("a cache without a cap").allMatch("v"::equals);
			});
		this.runner.withPropertyValues("tiercache.caches.capped.bulkhead.max-new-keys-per-second=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidTiercachePropertyException.class)
				.hasMessageContaining("'tiercache.caches.capped.bulkhead.max-new-keys-per-second' = '-1'"));
	}

	@Test
	void cacheAsideOnVoidMethodFailsAtStartup() {
		this.runner.withUserConfiguration(VoidService.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("cannot cache a method that returns nothing"));
	}

	@Test
	void cacheAsideWithBadDurationFailsAtStartup() {
		this.runner.withUserConfiguration(BadTtlService.class).withPropertyValues("tiercache.cache-names=books")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@CacheAside(ttl = \"soon\")")
				.hasStackTraceContaining("is not a duration"));
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnCacheManager {

		@Bean
		CacheManager cacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	static class CountingService {

		@CacheAside(cache = "books")
		public String find(long id) {
			return "book " + id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnCodec {

		final ValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of()));

		@Bean
		ValueCodec valueCodec() {
			return this.codec;
		}

	}

	static class UnknownCacheService {

		@CacheAside(cache = "nope")
		public String find(long id) {
			return "x";
		}

	}

	static class BadSpelService {

		@CacheAside(cache = "books", key = "#id +")
		public String find(long id) {
			return "x";
		}

	}

	static class UndefinedVariableService {

		@CacheAside(cache = "books", key = "#idd.toString()")
		public String find(long id) {
			return "x";
		}

	}

	static class FinalMethodService {

		@CacheAside(cache = "books")
		public final String find(long id) {
			return "x";
		}

	}

	record Person(long id, String name, String ssn) {
	}

	static class PersonService {

		@CacheAside(cache = "people")
		public Person find(long id) {
			return new Person(id, "x", "000");
		}

	}

	static class VoidService {

		@CacheAside(cache = "books")
		public void find(long id) {
		}

	}

	static class BadTtlService {

		@CacheAside(cache = "books", ttl = "soon")
		public String find(long id) {
			return "x";
		}

	}

}
