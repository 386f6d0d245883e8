package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.InvalidSettingException;
import dev.tiercache.writebehind.Ledger.Row;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code write-behind.coalesce-window}: once the flusher caught up with a partition, the partition gathers
 * new entries for the window before it is read again, so that the writes of a busy key become one call;
 * the drain at shutdown does not wait for it, and applies what gathered, coalesced. One instance
 * ({@link LedgerInstance}) on the shared Redis, with the tests' settings (polled every 20 ms) and one
 * partition.
 */
class CoalesceWindowTests {

	private static final long ID = 7;

	private final String prefix = TestRedis.uniquePrefix();

	private final LedgerRows rows = new LedgerRows();

	private final List<LedgerInstance> instances = new ArrayList<>();

	@AfterEach
	void close() {
		this.instances.forEach(LedgerInstance::close);
	}

	private LedgerInstance instance(Duration coalesceWindow) {
		return instance(coalesceWindow, LedgerInstance.writeBehind(Durability.MEMORY).claimIdle());
	}

	/**
	 * @param claimIdle the partition's lease, renewed every third of it
	 */
	private LedgerInstance instance(Duration coalesceWindow, Duration claimIdle) {
		WriteBehindSettings base = LedgerInstance.writeBehind(Durability.MEMORY);
		WriteBehindSettings settings = new WriteBehindSettings(base.batchSize(), base.flushInterval(),
				base.concurrency(), 1, base.maxAttempts(), base.backoff(), base.maxBackoff(), claimIdle,
				base.drainTimeout(), base.durability(), base.durabilityReplicas(), base.durabilityTimeout(),
				coalesceWindow);
		LedgerInstance instance = new LedgerInstance(this.prefix, TestRedis.connectionFactory(), this.rows,
				CacheSettings.DEFAULTS, settings, UnaryOperator.identity());
		this.instances.add(instance);
		return instance;
	}

	private static Row version(long version) {
		return new Row(ID, version, "version " + version);
	}

	@Test
	void writesOfAKeyWithinTheWindowWaitForItAndTheDrainAppliesThemAsOneCall() {
		LedgerInstance instance = instance(Duration.ofMinutes(5));
		instance.ledger().save(version(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.rows.versions(ID).equals(List.of(1L)));
		for (long version = 2; version <= 10; version++) {
			instance.ledger().save(version(version));
		}
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
			.until(() -> this.rows.versions(ID).equals(List.of(1L)));
		assertThat(instance.stats().depth()).as("gathered in the window").isEqualTo(9);
		assertThat(instance.cache().get(ID, Row.class)).as("readers see the newest write").isEqualTo(version(10));

		instance.close();

		assertThat(this.rows.versions(ID)).as("v1, then v2 to v10 as one call, at the drain").containsExactly(1L, 10L);
	}

	/**
	 * The partition is lost and taken again while its window runs; the first flush under the new lease
	 * reads the key's new write, and its call throws a {@link VirtualMachineError}, which leaves the entry
	 * read and not settled. The next flush reads it again at once: entries this instance read never wait
	 * for the window (before, they waited for the window opened under the old lease).
	 */
	@Test
	void anEntryReadUnderANewLeaseAndNotSettledDoesNotWaitForTheOldWindow() {
		LedgerInstance instance = instance(Duration.ofMinutes(5), Duration.ofMillis(1500));
		instance.ledger().save(version(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.rows.versions(ID).equals(List.of(1L)));
		this.rows.holdNextFlush(new InternalError("thrown by the call of v2"));
		this.rows.release();
		instance.ledger().save(version(2));
		await("v2 waits for the window").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
			.until(() -> this.rows.versions(ID).equals(List.of(1L)));

		takenOverByAnotherInstance();

		await("v2 applied after its call threw (on a flusher thread, as expected)").dontCatchUncaughtExceptions()
			.atMost(Duration.ofSeconds(10))
			.until(() -> this.rows.versions(ID).equals(List.of(1L, 2L)) && instance.stats().depth() == 0);
		assertThat(this.rows.heldFlushes()).as("the first call of v2 was made, and threw").isOne();
	}

	/**
	 * Another instance holds the partition now (this one was paused past its lease, say) and then falls
	 * silent: this one learns it at its next renewal, and takes the partition again once that lease ran out.
	 */
	private void takenOverByAnotherInstance() {
		LettuceConnectionFactory redis = TestRedis.connectionFactory();
		try (RedisConnection connection = redis.getConnection()) {
			connection.hashCommands()
				.hSet(new QueueKeys(new RedisKeys(this.prefix), LedgerInstance.CACHE, 1).lease(0),
						QueueKeys.ascii("token"), QueueKeys.ascii("another-instance:99"));
		}
		finally {
			redis.destroy();
		}
	}

	@Test
	void withoutAWindowEachCatchUpReadsOnUntilThePartitionIsEmpty() {
		LedgerInstance instance = instance(Duration.ZERO);
		instance.ledger().save(version(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.rows.versions(ID).equals(List.of(1L)));
		instance.ledger().save(version(2));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.rows.versions(ID).contains(2L) && instance.stats().depth() == 0);
	}

	@Test
	void aWindowOutOfRangeIsRefusedNamingTheSetting() {
		assertThatThrownBy(() -> WriteBehindSettings.DEFAULTS.withCoalesceWindow(Duration.ofMillis(-1)))
			.isInstanceOf(InvalidSettingException.class)
			.hasMessageContaining("write-behind.coalesce-window")
			.hasMessageContaining("must be between 0 and PT10M");
		assertThatThrownBy(() -> WriteBehindSettings.DEFAULTS.withCoalesceWindow(Duration.ofDays(365 * 300)))
			.isInstanceOf(InvalidSettingException.class)
			.hasMessageContaining("write-behind.coalesce-window");
	}

	/**
	 * A call whose durability Redis did not confirm waits {@code durability-timeout} for its entry to be
	 * applied: a window that outlasts it would refuse such calls.
	 */
	@Test
	void withADurabilityTheWindowMustStayUnderTheDurabilityTimeout() {
		WriteBehindSettings replica = LedgerInstance.writeBehind(Durability.REPLICA, Duration.ofSeconds(1));
		assertThat(replica.withCoalesceWindow(Duration.ofMillis(900)).coalesceWindow()).hasMillis(900);
		assertThatThrownBy(() -> replica.withCoalesceWindow(Duration.ofMillis(980)))
			.isInstanceOf(InvalidSettingException.class)
			.hasMessageContaining("write-behind.coalesce-window")
			.hasMessageContaining("with durability replica, plus flush-interval (PT0.02S) it must stay under "
					+ "durability-timeout (PT1S)");
		assertThat(WriteBehindSettings.DEFAULTS.withCoalesceWindow(Duration.ofSeconds(5)).coalesceWindow())
			.as("memory durability waits for nothing").hasSeconds(5);
	}

}
