package dev.tiercache.guard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.internal.read.KeyGuard;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, the penetration guard, on real Redis: two managers with one key prefix stand for two
 * instances of an application. Keys 1 to 100 exist; the loader counts its calls.
 */
class PenetrationGuardTests {

	private static final GuardSettings SETTINGS = new GuardSettings(1000, 0.01, Duration.ofMinutes(10));

	private final String prefix = TestRedis.uniquePrefix();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private final AtomicInteger loads = new AtomicInteger();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		LettuceConnectionFactory inspector = TestRedis.connectionFactory();
		try (RedisConnection connection = inspector.getConnection()) {
			for (byte[] key : connection.keyCommands().keys((this.prefix + ":*").getBytes(StandardCharsets.UTF_8))) {
				connection.keyCommands().del(key);
			}
		}
		inspector.destroy();
	}

	@Test
	void aKeyTheFilterLacksIsAnsweredNullWithoutTheLoader() {
		Instance instance = new Instance();
		assertThat(instance.guard.rebuild(existing(100))).isEqualTo(100);

		assertThat(instance.read(5)).isEqualTo("product 5");
		assertThat(instance.read(500)).isNull();
		assertThat(this.loads).as("only the key that exists was loaded").hasValue(1);
		GuardStats stats = instance.guard.stats();
		assertThat(stats.built()).isTrue();
		assertThat(stats.refused()).isEqualTo(1);
		assertThat(stats.passedLocally()).as("the copy read from Redis holds what Redis set").isEqualTo(1);
		assertThat(stats.keysAtBuild()).isEqualTo(100);
		assertThat(stats.estimatedFalsePositiveRate()).isBetween(0.0, 0.001);
	}

	@Test
	void beforeAFilterIsBuiltEveryKeyIsLoaded() {
		Instance instance = new Instance();

		assertThat(instance.read(500)).isEqualTo("product 500");
		assertThat(this.loads).hasValue(1);
		assertThat(instance.guard.stats().open()).isEqualTo(1);
		assertThat(instance.guard.built()).isFalse();
	}

	@Test
	void aKeyWrittenOnOneInstanceIsLoadedOnAnotherAtOnce() {
		Instance writer = new Instance();
		Instance reader = new Instance();
		writer.guard.rebuild(existing(100));
		reader.guard.refresh();

		writer.cache.evict(777L); // as a @WriteAround of a new row does, after writing it

		assertThat(reader.read(777)).isEqualTo("product 777");
		assertThat(reader.guard.stats().passedInRedis()).as("found in Redis, not in the copy").isEqualTo(1);
		assertThat(reader.read(778)).isNull();
		writer.cache.put(779L, "product 779");
		assertThat(passes(reader, 779)).as("a put adds the key too").isTrue();
		assertThat(passes(reader, 780)).isFalse();
	}

	@Test
	void aRebuildDropsKeysThatNoLongerExistAndKeepsKeysWrittenWhileItRan() {
		Instance instance = new Instance();
		Instance other = new Instance();
		instance.guard.rebuild(existing(100));
		Iterator<Long> fewer = LongStream.rangeClosed(1, 50).boxed().peek((id) -> {
			if (id == 25) {
				other.cache.evict(4242L); // a key written on another instance while the rebuild runs
			}
		}).iterator();

		assertThat(instance.guard.rebuild(() -> fewer)).isEqualTo(50);

		assertThat(instance.read(30)).isEqualTo("product 30");
		assertThat(instance.read(4242)).isEqualTo("product 4242");
		assertThat(this.loads).hasValue(2);
		assertThat(LongStream.rangeClosed(51, 100).filter((id) -> instance.read(id) != null).count())
			.as("keys 51 to 100, gone, let through (false positives at about 1 %)").isLessThan(5);
	}

	@Test
	void oneInstanceRebuildsAtATime() {
		Instance first = new Instance();
		Instance second = new Instance();
		long[] secondsRebuild = new long[1];
		Iterator<Long> keys = LongStream.rangeClosed(1, 10).boxed().peek((id) -> {
			if (id == 5) {
				secondsRebuild[0] = second.guard.rebuild(existing(10));
			}
		}).iterator();

		assertThat(first.guard.rebuild(() -> keys)).isEqualTo(10);
		assertThat(secondsRebuild[0]).as("refused while the first one runs").isEqualTo(PenetrationGuard.BUSY);
		assertThat(second.guard.rebuild(existing(10))).as("free once it ended").isEqualTo(10);
	}

	@Test
	void aRebuildThatFailsLeavesTheFilterItWasToReplace() {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));
		Iterator<Long> failing = LongStream.rangeClosed(1, 10).boxed().peek((id) -> {
			if (id == 3) {
				throw new IllegalStateException("the database went away");
			}
		}).iterator();

		assertThatIllegalStateException().isThrownBy(() -> instance.guard.rebuild(() -> failing))
			.withMessage("the database went away");

		instance.guard.refresh();
		assertThat(instance.read(90)).isEqualTo("product 90");
		assertThat(instance.read(900)).isNull();
		assertThat(instance.guard.rebuild(existing(5))).as("the lock was released").isEqualTo(5);
	}

	@Test
	void whenRedisLosesTheFilterEveryKeyIsLoadedAgain() {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));
		deleteGuardKeys();

		assertThat(instance.read(500)).isEqualTo("product 500");
		assertThat(instance.guard.built()).isFalse();
		instance.guard.refresh();
		assertThat(instance.read(501)).isEqualTo("product 501");
		assertThat(instance.guard.stats().open()).isEqualTo(2);
		assertThat(instance.guard.stats().refused()).isZero();
	}

	@Test
	void whileRedisFailsEveryKeyIsLoadedAndAnAddIsSentAgainAtTheNextRefresh() {
		Instance writer = new Instance();
		Instance reader = new Instance();
		writer.guard.rebuild(existing(100));
		reader.guard.refresh();
		pauseRedisWrites(Duration.ofSeconds(2));

		writer.cache.evict(888L);
		assertThat(writer.guard.stats().unsentAdds()).isEqualTo(1);
		assertThat(reader.read(889)).as("loaded, since Redis cannot be asked").isEqualTo("product 889");
		assertThat(reader.guard.stats().redisErrors()).isPositive();

		await().atMost(Duration.ofSeconds(10)).until(() -> {
			writer.guard.refresh();
			return writer.guard.stats().unsentAdds() == 0;
		});
		await("Redis answers the reader again").atMost(Duration.ofSeconds(10))
			.until(() -> !passes(reader, 887));
		assertThat(passes(reader, 888)).isTrue();
		assertThat(reader.read(888)).isEqualTo("product 888");
	}

	@Test
	void theSourceIsReadOnlyOnceTheBuildHoldsItsLockAndOnlyIfNoFilterIsThere() {
		Instance first = new Instance();
		Instance second = new Instance();
		AtomicInteger opened = new AtomicInteger();
		PenetrationGuard.KeySource counted = () -> {
			opened.incrementAndGet();
			return LongStream.rangeClosed(1, 10).boxed().iterator();
		};
		long[] whileBuilding = new long[1];
		Iterator<Long> keys = LongStream.rangeClosed(1, 10).boxed().peek((id) -> {
			if (id == 5) {
				whileBuilding[0] = second.guard.rebuild(counted);
			}
		}).iterator();

		assertThat(first.guard.buildIfMissing(() -> keys)).isEqualTo(10);
		assertThat(whileBuilding[0]).isEqualTo(PenetrationGuard.BUSY);
		assertThat(second.guard.buildIfMissing(counted)).as("built already").isEqualTo(PenetrationGuard.PRESENT);
		assertThat(opened).as("the source of a build that did not run").hasValue(0);
	}

	@Test
	void aFilterOfAnotherSizeIsLeftAloneAndTheInstancesOfThatSizeRefuseNothing() {
		Instance small = new Instance();
		Instance large = new Instance(new GuardSettings(50_000, 0.01, Duration.ofMinutes(10)));
		small.guard.buildIfMissing(existing(100));

		assertThat(large.guard.buildIfMissing(existing(100))).isEqualTo(PenetrationGuard.PRESENT);
		large.guard.refresh();
		assertThat(large.guard.built()).isFalse();
		assertThat(large.read(500)).as("read as without a guard").isEqualTo("product 500");

		assertThat(large.guard.rebuild(existing(100))).as("a rebuild takes the new size").isEqualTo(100);
		assertThat(large.read(501)).isNull();
		small.guard.refresh();
		assertThat(small.guard.built()).isFalse();
	}

	@Test
	void aRefusedKeyIsStoredNowhere() throws Exception {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));
		assertThat(instance.read(500)).isNull();
		instance.guards.close();

		assertThat(instance.read(500)).as("no null marker was stored for it").isEqualTo("product 500");
		assertThat(this.loads).hasValue(1);
	}

	@Test
	void oneRefusalInAThousandIsReadAndAKeyFoundSoIsAdded() {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));

		long answered = LongStream.rangeClosed(10_001, 12_000).filter((id) -> instance.read(id) != null).count();

		GuardStats stats = instance.guard.stats();
		assertThat(stats.audited()).isEqualTo(2);
		assertThat(stats.foundByAudit()).as("this loader answers every id").isEqualTo(2);
		assertThat(answered).isEqualTo(2);
		assertThat(this.loads).hasValue(2);
		assertThat(LongStream.rangeClosed(10_001, 12_000).filter((id) -> passes(instance, id)).count())
			.as("the keys found are added; at most a few false positives besides").isBetween(2L, 10L);
	}

	@Test
	void aKeyWrittenInATransactionIsAddedAgainWhenItCommits() {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));
		TransactionSynchronizationManager.initSynchronization();
		try {
			instance.cache.put(4242L, "product 4242");
			instance.cache.put(4343L, "product 4343");
			instance.guard.rebuild(existing(100)); // from a database that cannot see the rows yet
			assertThat(passes(instance, 4242)).isFalse();
			List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
			assertThat(synchronizations).as("one per put").hasSize(2);
			TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations.subList(0, 1),
					TransactionSynchronization.STATUS_COMMITTED);
			TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations.subList(1, 2),
					TransactionSynchronization.STATUS_ROLLED_BACK);
		}
		finally {
			TransactionSynchronizationManager.clearSynchronization();
		}
		assertThat(passes(instance, 4242)).as("added again at the commit").isTrue();
		assertThat(passes(instance, 4343)).as("rolled back: not added again").isFalse();
	}

	@Test
	void theBitmapARebuildFillsExpiresWithItsLockAndTheFilterDoesNot() {
		Instance instance = new Instance();
		long[] ttlWhileFilling = new long[1];
		Iterator<Long> keys = LongStream.rangeClosed(1, 10).boxed().peek((id) -> {
			if (id == 5) {
				ttlWhileFilling[0] = ttlMillis(this.prefix + ":guard:next:{products}");
			}
		}).iterator();

		instance.guard.rebuild(() -> keys);

		assertThat(ttlWhileFilling[0]).isBetween(1L, PenetrationGuard.BUILD_LOCK_MILLIS);
		assertThat(ttlMillis(this.prefix + ":guard:{products}")).as("no expiry").isEqualTo(-1);
		assertThat(ttlMillis(this.prefix + ":guard:next:{products}")).as("renamed").isEqualTo(-2);
	}

	@Test
	void aFilterTooLargeForRedisIsRefusedNamingItsSettings() {
		assertThatException().isThrownBy(() -> new GuardSettings(GuardSettings.MAX_EXPECTED_KEYS, 0.000001,
				Duration.ofSeconds(10)))
			.isInstanceOf(InvalidSettingException.class)
			.withMessageContaining("guard.expected-keys")
			.withMessageContaining("guard.false-positive-rate");
	}

	@Test
	void closingTheGuardsLeavesLoadsUnguarded() throws Exception {
		Instance instance = new Instance();
		instance.guard.rebuild(existing(100));
		instance.guards.close();

		assertThat(instance.read(500)).isEqualTo("product 500");
	}

	private static PenetrationGuard.KeySource existing(long count) {
		return () -> LongStream.rangeClosed(1, count).boxed().iterator();
	}

	private static boolean passes(Instance instance, long id) {
		return instance.guard.check(instance.cache.redisName(id)) == KeyGuard.Verdict.PASS;
	}

	private void deleteGuardKeys() {
		LettuceConnectionFactory inspector = TestRedis.connectionFactory();
		try (RedisConnection connection = inspector.getConnection()) {
			byte[] pattern = (this.prefix + ":guard*").getBytes(StandardCharsets.UTF_8);
			for (byte[] key : connection.keyCommands().keys(pattern)) {
				connection.keyCommands().del(key);
			}
		}
		inspector.destroy();
	}

	private static long ttlMillis(String key) {
		LettuceConnectionFactory inspector = TestRedis.connectionFactory();
		try (RedisConnection connection = inspector.getConnection()) {
			Long ttl = connection.keyCommands().pTtl(key.getBytes(StandardCharsets.UTF_8));
			return (ttl != null) ? ttl : -3;
		}
		finally {
			inspector.destroy();
		}
	}

	private static void pauseRedisWrites(Duration duration) {
		LettuceConnectionFactory inspector = TestRedis.connectionFactory();
		try (RedisConnection connection = inspector.getConnection()) {
			connection.execute("CLIENT", "PAUSE".getBytes(StandardCharsets.US_ASCII),
					Long.toString(duration.toMillis()).getBytes(StandardCharsets.US_ASCII),
					"WRITE".getBytes(StandardCharsets.US_ASCII));
		}
		inspector.destroy();
	}

	/** One instance: a manager with the cache {@code products} and its guard. */
	private final class Instance {

		final TieredCache cache;

		final PenetrationGuards guards;

		final PenetrationGuard guard;

		Instance() {
			this(SETTINGS);
		}

		Instance(GuardSettings settings) {
			LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();
			PenetrationGuardTests.this.closeables.add(connectionFactory::destroy);
			TieredCacheManager manager = TieredCacheManager.builder(connectionFactory)
				.keyPrefix(PenetrationGuardTests.this.prefix)
				.codec(new JsonOrSerializedValueCodec(new SerializationAllowList(Set.of("java.lang"))))
				.cache("products", CacheSettings.DEFAULTS)
				.build();
			manager.afterPropertiesSet();
			TestRedis.awaitStartupResynchronization(manager);
			PenetrationGuardTests.this.closeables.add(0, manager::destroy);
			this.guards = new PenetrationGuards(manager, Map.of("products", settings));
			PenetrationGuardTests.this.closeables.add(0, this.guards);
			this.cache = manager.getTieredCache("products");
			this.guard = this.guards.guard("products");
		}

		String read(long id) {
			return this.cache.get(id, () -> {
				PenetrationGuardTests.this.loads.incrementAndGet();
				return "product " + id;
			});
		}

	}

}
