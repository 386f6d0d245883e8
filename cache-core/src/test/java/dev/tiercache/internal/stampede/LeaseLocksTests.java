package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKey;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lease protocol on a real Redis: who may store, and who is woken.
 */
class LeaseLocksTests {

	private static final long LEASE = 10_000;

	private final String prefix = TestRedis.uniquePrefix();

	private final byte[] channel = (this.prefix + ":loads").getBytes(StandardCharsets.UTF_8);

	private final RedisKeys layout = new RedisKeys(this.prefix);

	private final EntryKeys keys = this.layout.entry(this.layout.value("c", 0, "k"), null);

	/**
	 * The same key's entry in a cache that queues writes: in partition 0's slot, and its queued write is
	 * a field of partition 0's hash.
	 */
	private final EntryKeys.Pending pending = new EntryKeys.Pending(
			this.layout.partition(RedisKey.PartitionPart.PENDING, "c", 0), RedisKeys.pendingValueField("k"));

	private final EntryKeys queuedKeys = this.layout.entry(this.layout.value("c", 0, 0, "k"), this.pending);

	private LettuceConnectionFactory connectionFactory;

	private RemoteCommands redis;

	private LeaseLocks holder;

	private LeaseLocks other;

	private LoadNotifications notifications;

	private LoadSubscription subscription;

	@BeforeEach
	void start() {
		this.connectionFactory = TestRedis.connectionFactory();
		this.redis = RemoteCommands.dedicated(this.connectionFactory, Duration.ofSeconds(2),
				RedisCircuitBreaker.disabled());
		this.holder = new LeaseLocks(this.redis, this.channel, Duration.ofSeconds(10));
		this.other = new LeaseLocks(this.redis, this.channel, Duration.ofSeconds(10));
		this.notifications = new LoadNotifications();
		this.subscription = new LoadSubscription(this.connectionFactory, new String(this.channel, StandardCharsets.UTF_8),
				this.notifications);
		this.subscription.start();
		byte[] probe = bytes(":probe");
		try (LoadNotifications.Waiter waiter = this.notifications.register(probe)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				publish(probe);
				return waiter.await(50);
			});
		}
	}

	@AfterEach
	void stop() throws Exception {
		this.subscription.close();
		this.holder.close();
		this.other.close();
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.keyCommands().del(this.keys.value(), this.keys.lock(), this.keys.waiters(), this.pending.hash());
			connection.keyCommands().del(this.queuedKeys.value(), this.queuedKeys.lock(), this.queuedKeys.waiters());
		}
		this.redis.close();
		this.connectionFactory.destroy();
	}

	private void publish(byte[] message) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.publish(this.channel, message);
		}
	}

	private byte[] bytes(String suffix) {
		return (this.prefix + suffix).getBytes(StandardCharsets.UTF_8);
	}

	private Lease acquire(LeaseLocks locks) {
		Acquisition acquisition = readOrAcquire(locks, this.keys, null);
		assertThat(acquisition).isInstanceOf(Acquisition.Acquired.class);
		return ((Acquisition.Acquired) acquisition).lease();
	}

	@Test
	void onlyOneCallerGetsTheLeaseAndTheOthersSeeItHeld() {
		acquire(this.holder);
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOfSatisfying(Acquisition.Held.class,
				(held) -> assertThat(held.remainingMillis()).isBetween(1L, LEASE));
	}

	@Test
	void storeWakesACallerThatWaits() throws InterruptedException {
		Lease lease = acquire(this.holder);
		try (LoadNotifications.Waiter waiter = this.notifications.register(this.keys.value())) {
			assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Held.class);
			assertThat(this.holder.storeAndRelease(lease, bytes("value"), 60_000, deadline())).isEqualTo(LeaseLocks.StoreResult.STORED);
			assertThat(waiter.await(10_000)).as("woken by the store").isTrue();
		}
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Found.class);
	}

	@Test
	void releaseWakesACallerThatWaits() throws InterruptedException {
		Lease lease = acquire(this.holder);
		try (LoadNotifications.Waiter waiter = this.notifications.register(this.keys.value())) {
			assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Held.class);
			this.holder.release(lease);
			assertThat(waiter.await(10_000)).as("woken by the release").isTrue();
		}
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Acquired.class);
	}

	@Test
	void uncontendedStorePublishesNothing() throws InterruptedException {
		Lease lease = acquire(this.holder);
		try (LoadNotifications.Waiter waiter = this.notifications.register(this.keys.value())) {
			assertThat(this.holder.storeAndRelease(lease, bytes("value"), 60_000, deadline())).isEqualTo(LeaseLocks.StoreResult.STORED);
			assertThat(waiter.await(500)).as("nobody flagged a wait, so nothing was published").isFalse();
		}
	}

	@Test
	void writeRevokesTheLeaseSoTheLoadedValueIsNotStored() {
		Lease lease = acquire(this.holder);
		this.other.write(this.keys, bytes("newer"), 60_000);
		assertThat(this.holder.storeAndRelease(lease, bytes("older"), 60_000, deadline())).isEqualTo(LeaseLocks.StoreResult.LOST);
		assertThat(this.redis.get(this.keys.value())).isEqualTo(bytes("newer"));
	}

	@Test
	void closeReleasesHeldLeases() throws Exception {
		acquire(this.holder);
		assertThat(this.holder.heldCount()).isEqualTo(1);
		this.holder.close();
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Acquired.class);
	}

	@Test
	void releaseOfAnUnstoredLoadOpensTheKeyToWaitersSoTheyLoadAtOnce() throws InterruptedException {
		Lease lease = acquire(this.holder);
		try (LoadNotifications.Waiter waiter = this.notifications.register(this.keys.value())) {
			assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Held.class);
			this.holder.releaseUnstored(lease, deadline());
			assertThat(waiter.await(10_000)).as("woken by the release").isTrue();
		}
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Open.class);
		assertThat(readOrAcquire(this.holder, this.keys, null)).as("every waiter, not only the first")
			.isInstanceOf(Acquisition.Open.class);
	}

	@Test
	void releaseOfAnUnstoredLoadWithoutWaitersLeavesTheKeyFree() {
		Lease lease = acquire(this.holder);
		this.holder.releaseUnstored(lease, deadline());
		assertThat(readOrAcquire(this.other, this.keys, null)).isInstanceOf(Acquisition.Acquired.class);
	}

	@Test
	void valueTheCallerCannotReadIsReplacedUnderTheLease() {
		byte[] unreadable = "unreadable value".getBytes(StandardCharsets.UTF_8);
		this.other.write(this.keys, unreadable, 60_000);
		byte[] header = Arrays.copyOf(unreadable, 10);
		Acquisition acquisition = readOrAcquire(this.holder, this.keys, header);
		assertThat(acquisition).isInstanceOf(Acquisition.Acquired.class);
		assertThat(this.holder.storeAndRelease(((Acquisition.Acquired) acquisition).lease(), "replaced".getBytes(StandardCharsets.UTF_8), 60_000, deadline()))
			.isEqualTo(LeaseLocks.StoreResult.STORED);
		assertThat(readOrAcquire(this.other, this.keys, header)).as("a new value is read again")
			.isInstanceOf(Acquisition.Found.class);
	}

	@Test
	void leaseIsRenewedForAtMostItsMaximumHold() {
		LeaseLocks shortLeases = new LeaseLocks(this.redis, this.channel, Duration.ofMillis(200));
		try {
			Lease lease = shortLeases.newLease(this.keys, 200, 600);
			Acquisition acquisition = shortLeases.readOrAcquire(lease, null, deadline());
			assertThat(acquisition).isInstanceOf(Acquisition.Acquired.class);
			await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
				.until(() -> this.redis.get(this.keys.lock()) != null);
			await().atMost(Duration.ofSeconds(5)).until(() -> this.redis.get(this.keys.lock()) == null);
			assertThat(shortLeases.heldCount()).isZero();
		}
		finally {
			shortLeases.close();
		}
	}

	private void queue(byte[] value) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.hashCommands().hSet(this.pending.hash(), this.pending.field(), value);
		}
	}

	@Test
	void aQueuedWriteIsReturnedInsteadOfTheLeaseWhenNoValueIsStored() {
		queue(bytes("queued"));
		assertThat(readOrAcquire(this.holder, this.queuedKeys, null))
			.isInstanceOfSatisfying(Acquisition.Pending.class, (pending) -> assertThat(pending.value()).isEqualTo(bytes("queued")));
		assertThat(this.redis.get(this.queuedKeys.lock())).as("no lease taken").isNull();
	}

	@Test
	void aQueuedWriteIsReturnedInsteadOfTheLeaseToReplaceAnExpiredValue() {
		byte[] expired = bytes("expired value");
		this.other.write(this.queuedKeys, expired, 60_000);
		queue(bytes("queued"));
		assertThat(readOrAcquire(this.holder, this.queuedKeys, Arrays.copyOf(expired, 10)))
			.isInstanceOfSatisfying(Acquisition.Pending.class, (pending) -> assertThat(pending.value()).isEqualTo(bytes("queued")));
		assertThat(readOrAcquire(this.holder, this.queuedKeys, null)).as("a value to read is read")
			.isInstanceOf(Acquisition.Found.class);
	}

	@Test
	void noBackgroundReloadTakesTheLeaseWhileAWriteIsQueued() {
		queue(bytes("queued"));
		assertThat(acquireIfFree(this.holder, this.queuedKeys)).isInstanceOf(Acquisition.Held.class);
		assertThat(acquireIfFree(this.holder, this.keys)).as("the same key, no queue")
			.isInstanceOf(Acquisition.Acquired.class);
	}

	@Test
	void aLoadStoresNothingOverAWriteQueuedSinceItTookTheLease() throws InterruptedException {
		Acquisition acquisition = readOrAcquire(this.holder, this.queuedKeys, null);
		assertThat(acquisition).isInstanceOf(Acquisition.Acquired.class);
		try (LoadNotifications.Waiter waiter = this.notifications.register(this.queuedKeys.value())) {
			assertThat(readOrAcquire(this.other, this.queuedKeys, null)).isInstanceOf(Acquisition.Held.class);
			queue(bytes("queued"));
			assertThat(this.holder.storeAndRelease(((Acquisition.Acquired) acquisition).lease(), bytes("loaded"), 60_000,
					deadline())).isEqualTo(LeaseLocks.StoreResult.PENDING);
			assertThat(waiter.await(10_000)).as("woken by the release").isTrue();
		}
		assertThat(this.redis.get(this.queuedKeys.value())).isNull();
		assertThat(this.redis.get(this.queuedKeys.lock())).as("released").isNull();
		assertThat(readOrAcquire(this.other, this.queuedKeys, null)).isInstanceOf(Acquisition.Pending.class);
	}

	private long deadline() {
		return this.redis.deadline();
	}

	private Acquisition readOrAcquire(LeaseLocks locks, EntryKeys keys, byte @Nullable [] unreadable) {
		return locks.readOrAcquire(locks.newLease(keys, LEASE, LEASE), unreadable, deadline());
	}

	private Acquisition acquireIfFree(LeaseLocks locks, EntryKeys keys) {
		return locks.acquireIfFree(locks.newLease(keys, LEASE, LEASE), deadline());
	}

}
