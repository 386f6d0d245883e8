package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.CacheMode;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What {@link WriteBehindQueues} tells a caller that uses it wrongly, each time naming what to fix: queues
 * on a manager without Redis, a method of a cache without Redis or of another manager's cache, a cache
 * without a queue, an empty dead letter id. Nothing is queued or changed by such a call.
 */
class WriteBehindQueuesMisuseTests {

	private final TestManagers managers = new TestManagers();

	private final ValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("dev.tiercache")));

	private final List<WriteBehindQueues> opened = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		this.opened.forEach(WriteBehindQueues::close);
		this.managers.close();
	}

	private WriteBehindQueues queuesOf(TieredCacheManager manager) {
		WriteBehindQueues queues = new WriteBehindQueues(manager, this.codec,
				LedgerInstance.writeBehind(Durability.MEMORY), Map.of());
		this.opened.add(queues);
		return queues;
	}

	@Test
	void aDurabilityTimeoutTheCommandTimeoutWouldCutShortNamesBothProperties() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "prices");
		WriteBehindSettings waitsTooLong = LedgerInstance.writeBehind(Durability.REPLICA, Duration.ofSeconds(5));
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new WriteBehindQueues(manager, this.codec, LedgerInstance.writeBehind(Durability.MEMORY),
					Map.of("prices", waitsTooLong)))
			.withMessageStartingWith("tiercache.caches.prices.write-behind.durability-timeout must end, with the "
					+ "Redis timeout (")
			.withMessageContaining("within the command timeout 'spring.data.redis.timeout' (5000 ms)");
		assertThat(queuesOf(manager)).as("durability 'memory' waits for nothing").isNotNull();
	}

	@Test
	void queuesOnAManagerWithoutRedisNameTheModeToSet() {
		TieredCacheManager local = this.managers.local("prices");
		assertThatIllegalArgumentException().isThrownBy(() -> queuesOf(local))
			.withMessageStartingWith("Write-behind queues need Redis, but no cache of ")
			.withMessageEndingWith(" uses Redis; set 'tiercache.defaults.mode' (or a cache's mode) to 'both' or 'remote'");
	}

	@Test
	void aMethodOfACacheWithoutRedisIsRefusedWithTheCachesModeProperty() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "prices");
		TieredCacheManager local = this.managers.local("rates");
		WriteBehindQueues queues = queuesOf(manager);
		assertThatIllegalStateException().isThrownBy(() -> queues.register(new AppliedCalls(local.getTieredCache("rates"))))
			.withMessage("@WriteBehind Prices#save(Long,String) writes to cache 'rates', which does not use Redis (mode "
					+ CacheMode.LOCAL + "); a durable queue needs Redis: set 'tiercache.caches.rates.mode' to 'both'");
		assertThatIllegalArgumentException().isThrownBy(() -> queues.stats("rates"))
			.withMessage("Cache 'rates' has no write-behind queue; caches with one: []");
	}

	// the queue would write to the first manager's cache, and the second's L1 would never see the writes
	@Test
	void aMethodOfAnotherManagersCacheOfTheSameNameIsRefused() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "prices");
		TieredCacheManager another = this.managers.redis(CacheSettings.DEFAULTS, "prices");
		WriteBehindQueues queues = queuesOf(manager);
		queues.register(new AppliedCalls(manager.getTieredCache("prices")));
		AppliedCalls ofAnother = new AppliedCalls(another.getTieredCache("prices"), "Prices#update(Long,String)");
		assertThatIllegalStateException().isThrownBy(() -> queues.register(ofAnother))
			.withMessage("@WriteBehind Prices#update(Long,String) writes to a cache 'prices' that is not the one its "
					+ "queue writes to (another cache manager's); one WriteBehindQueues serves the caches of one "
					+ "manager");
	}

	@Test
	void aCacheWithoutAQueueIsNamedWithTheCachesThatHaveOne() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "prices", "rates");
		WriteBehindQueues queues = queuesOf(manager);
		queues.register(new AppliedCalls(manager.getTieredCache("prices")));
		String noQueue = "Cache 'rates' has no write-behind queue; caches with one: [prices]";
		assertThatIllegalArgumentException().isThrownBy(() -> queues.stats("rates")).withMessage(noQueue);
		assertThatIllegalArgumentException().isThrownBy(() -> queues.recentStats("rates")).withMessage(noQueue);
		assertThatIllegalArgumentException().isThrownBy(() -> queues.refusedCalls("rates")).withMessage(noQueue);
		assertThatIllegalArgumentException().isThrownBy(() -> queues.deadLetters("rates", 10)).withMessage(noQueue);
		assertThatIllegalArgumentException().isThrownBy(() -> queues.requeue("rates", "1-0")).withMessage(noQueue);
		assertThatIllegalArgumentException().isThrownBy(() -> queues.drop("rates", "1-0")).withMessage(noQueue);
	}

	@Test
	void anEmptyDeadLetterIdIsRefusedBeforeRedisIsAsked() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "prices");
		WriteBehindQueues queues = queuesOf(manager);
		queues.register(new AppliedCalls(manager.getTieredCache("prices")));
		assertThatIllegalArgumentException().isThrownBy(() -> queues.requeue("prices", " "))
			.withMessage("The id of the dead letter to requeue must not be empty");
		assertThatIllegalArgumentException().isThrownBy(() -> queues.drop("prices", ""))
			.withMessage("The id of the dead letter to drop must not be empty");
	}

}
