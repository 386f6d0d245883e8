package dev.tiercache.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.test.TestRedis;
import dev.tiercache.writebehind.Durability;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8: a {@code @WriteBehind} that cannot work fails start-up with a message naming the method and
 * what to change; {@code write-behind.*} properties bind per cache over the defaults, and a bad value
 * names its property.
 */
class WriteBehindStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TiercacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
				"tiercache.key-prefix=" + TestRedis.uniquePrefix());

	@Test
	void writeBehindSettingsBindPerCacheOverTheDefaults() {
		this.runner.withUserConfiguration(ValidService.class)
			.withPropertyValues("tiercache.defaults.write-behind.batch-size=20",
					"tiercache.defaults.write-behind.max-attempts=7", "tiercache.caches.orders.write-behind.batch-size=5",
					"tiercache.caches.orders.write-behind.durability=replica",
					"tiercache.caches.orders.write-behind.drain-timeout=3s",
					"tiercache.defaults.write-behind.coalesce-window=200ms")
			.run((context) -> {
				WriteBehindQueues queues = context.getBean(WriteBehindQueues.class);
				assertThat(queues.cacheNames()).containsExactly("orders");
				WriteBehindSettings orders = queues.settingsOf("orders");
				assertThat(orders.batchSize()).isEqualTo(5);
				assertThat(orders.maxAttempts()).isEqualTo(7);
				assertThat(orders.durability()).isEqualTo(Durability.REPLICA);
				assertThat(orders.drainTimeout()).hasSeconds(3);
				assertThat(orders.coalesceWindow()).hasMillis(200);
				assertThat(queues.settingsOf("other").batchSize()).isEqualTo(20);
			});
	}

	@Test
	void anOutOfRangeSettingFailsNamingTheProperty() {
		this.runner.withPropertyValues("tiercache.caches.orders.write-behind.batch-size=0")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("tiercache.caches.orders.write-behind.batch-size")
				.hasStackTraceContaining("must be between 1 and 1000"));
	}

	@Test
	void aMethodThatReturnsAValueFails() {
		failsWith(ReturningService.class, "returns java.lang.String, but a write-behind call returns before the method "
				+ "runs; make it return void", "ReturningService.save(java.lang.String)");
	}

	@Test
	void severalParametersWithoutValueFail() {
		failsWith(TwoParameterService.class, "has 2 parameters, so it needs 'value'",
				"TwoParameterService.save(long,java.lang.String)");
	}

	@Test
	void aMissingBatchMethodFails() {
		failsWith(MissingBatchService.class, "names batchMethod \"saveAll\", but",
				"has no public method saveAll(List<String>)");
	}

	@Test
	void combiningWithAnotherAnnotationFails() {
		failsWith(CombinedService.class, "cannot be combined with other Tiercache annotations");
	}

	@Test
	void aCacheWithoutRedisFails() {
		this.runner.withUserConfiguration(ValidService.class)
			.withPropertyValues("tiercache.caches.orders.mode=local")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("which does not use Redis (mode LOCAL)")
				.hasStackTraceContaining("tiercache.caches.orders.mode"));
	}

	private void failsWith(Class<?> service, String... messages) {
		this.runner.withUserConfiguration(service).run((context) -> {
			assertThat(context).hasFailed();
			for (String message : messages) {
				assertThat(context).getFailure().hasStackTraceContaining(message);
			}
		});
	}

	static class ValidService {

		@WriteBehind(cache = "orders", key = "#order")
		public void save(String order) {
		}

	}

	static class ReturningService {

		@WriteBehind(cache = "orders")
		public String save(String order) {
			return order;
		}

	}

	static class TwoParameterService {

		@WriteBehind(cache = "orders", key = "#id")
		public void save(long id, String order) {
		}

	}

	static class MissingBatchService {

		@WriteBehind(cache = "orders", batchMethod = "saveAll")
		public void save(String order) {
		}

		public void saveAll(String orders) {
		}

	}

	static class CombinedService {

		@WriteBehind(cache = "orders")
		@CacheInvalidate(cache = "lists", allEntries = true)
		public void save(String order) {
		}

		public void saveAll(List<String> orders) {
		}

	}

}
