package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@link Namespaces} on a real Redis: reading and bumping caches' namespace versions, the periodic read
 * that tells an instance of clears made elsewhere, and the floor that a deleted namespace key is moved
 * past, by one instance only.
 */
class NamespacesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final LettuceConnectionFactory admin = TestRedis.connectionFactory();

	private final List<AutoCloseable> opened = new ArrayList<>();

	private final List<String> cacheNames = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		try (RedisConnection connection = this.admin.getConnection()) {
			for (String name : this.cacheNames) {
				connection.keyCommands().del(this.keys.namespace(name), this.keys.writeBehindPartitions(name));
			}
		}
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
		this.admin.destroy();
	}

	@Test
	void registeringWithAReadTakesTheVersionRedisHolds() {
		store("books", "7");
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", true);
		assertThat(books.version.current()).isEqualTo(7);
		assertThat(books.clears).as("the first version known clears nothing").hasValue(0);
	}

	/**
	 * Every instance learns from Redis that a cache has a write-behind queue, and with how many
	 * partitions, in the read that gives it the namespace version: before it builds any key of the cache.
	 */
	@Test
	void theNumberOfWriteBehindPartitionsInRedisIsReportedByTheReadOfTheVersion() {
		store("books", "7");
		this.cacheNames.add("books");
		try (RedisConnection connection = this.admin.getConnection()) {
			connection.stringCommands().set(this.keys.writeBehindPartitions("books"), bytes("16"));
		}
		CountingCopies books = instance(TestRedis.port()).register("books", true);
		assertThat(books.queued).hasValue(16);
		assertThat(books.version.current()).isEqualTo(7);
		CountingCopies pages = instance(TestRedis.port()).register("pages", true);
		assertThat(pages.queued).as("a cache without a queue").hasValue(0);
	}

	@Test
	void aNumberOfPartitionsThatIsNoneAQueueCanHaveIsIgnoredAndTheVersionStillRead() {
		for (String marker : List.of("many", "5000", "-3")) {
			String cache = "books" + this.cacheNames.size();
			store(cache, "7");
			try (RedisConnection connection = this.admin.getConnection()) {
				connection.stringCommands().set(this.keys.writeBehindPartitions(cache), bytes(marker));
			}
			CountingCopies books = instance(TestRedis.port()).register(cache, true);
			assertThat(books.queued).as(marker).hasValue(0);
			assertThat(books.version.current()).as(marker).isEqualTo(7);
		}
	}

	@Test
	void aCacheWithoutANamespaceKeyIsAtVersionZero() {
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", true);
		assertThat(books.version.current()).isZero();
		assertThat(stored("books")).as("reading writes nothing").isNull();
	}

	@Test
	void registeringWithoutAReadLeavesTheVersionToThePeriodicRead() {
		store("books", "7");
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", false);
		assertThat(books.version.current()).isEqualTo(NamespaceVersion.UNKNOWN);
		await().atMost(WAIT).untilAsserted(() -> assertThat(books.version.current()).isEqualTo(7));
	}

	@Test
	void aBumpMovesTheVersionForwardInRedisAndClearsL1() {
		store("books", "3");
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", true);
		instance.namespaces.bump("books");
		assertThat(books.version.current()).isEqualTo(4);
		assertThat(stored("books")).isEqualTo("4");
		assertThat(books.clears).hasValue(1);
	}

	@Test
	void anotherInstancesBumpReachesThisOneWithThePeriodicReadAndClearsItsL1() {
		Instance here = instance(TestRedis.port());
		Instance elsewhere = instance(TestRedis.port());
		CountingCopies books = here.register("books", true);
		elsewhere.register("books", true);
		elsewhere.namespaces.bump("books");
		await().atMost(WAIT).untilAsserted(() -> assertThat(books.version.current()).isEqualTo(1));
		assertThat(books.clears).hasValue(1);
	}

	@Test
	void aDeletedNamespaceKeyIsMovedPastTheFloorSoClearedEntriesStayInvisible() {
		store("books", "5");
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", true);
		delete("books");
		instance.namespaces.readNow("books");
		assertThat(stored("books")).isEqualTo("6");
		assertThat(books.version.current()).isEqualTo(6);
		assertThat(books.clears).hasValue(1);
	}

	@Test
	void aBumpAfterTheNamespaceKeyWasDeletedMovesPastTheFloor() {
		store("books", "5");
		Instance instance = instance(TestRedis.port());
		CountingCopies books = instance.register("books", true);
		delete("books");
		instance.namespaces.bump("books");
		assertThat(stored("books")).isEqualTo("6");
		assertThat(books.version.current()).isEqualTo(6);
	}

	@Test
	void instancesThatFindTheKeyDeletedTogetherMoveItForwardOnce() throws Exception {
		Instance first = instance(TestRedis.port());
		Instance second = instance(TestRedis.port());
		int rounds = 20;
		int movedOnce = 0;
		for (int round = 0; round < rounds; round++) {
			String cache = "race" + round;
			store(cache, "5");
			CountingCopies one = first.register(cache, true);
			CountingCopies two = second.register(cache, true);
			delete(cache);
			CountDownLatch start = new CountDownLatch(1);
			Thread reader = new Thread(() -> {
				awaitLatch(start);
				second.namespaces.readNow(cache);
			});
			reader.start();
			start.countDown();
			first.namespaces.readNow(cache);
			reader.join(WAIT.toMillis());
			assertThat(reader.isAlive()).isFalse();
			if ("6".equals(stored(cache)) && one.version.current() == 6 && two.version.current() == 6) {
				movedOnce++;
			}
		}
		assertThat(movedOnce).isEqualTo(rounds);
	}

	// a cache whose namespace key holds no number must not keep the others from learning of clears
	@Test
	void aNamespaceKeyThatHoldsNoNumberDoesNotStopTheOtherCachesReads() {
		Instance instance = instance(TestRedis.port());
		store("broken", "not a number");
		instance.register("broken", false);
		List<CountingCopies> others = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			store("cache" + i, "3");
			others.add(instance.register("cache" + i, false));
		}
		instance.namespaces.readAll();
		assertThat(others).allSatisfy((cache) -> assertThat(cache.version.current()).isEqualTo(3));
	}

	@Test
	void aRedisFailureLeavesTheVersionsAsTheyWere() throws Exception {
		TcpProxy proxy = track(TcpProxy.to(TestRedis.port()));
		store("books", "2");
		Instance instance = instance(proxy.port());
		CountingCopies books = instance.register("books", true);
		proxy.cut();
		store("books", "9");
		instance.namespaces.readAll();
		instance.namespaces.read("books");
		assertThatExceptionOfType(RemoteCallException.class).isThrownBy(() -> instance.namespaces.readNow("books"));
		assertThatExceptionOfType(RemoteCallException.class).isThrownBy(() -> instance.namespaces.bump("books"));
		assertThat(books.version.current()).isEqualTo(2);
		assertThat(books.clears).hasValue(0);
		proxy.restore();
		await().atMost(WAIT).untilAsserted(() -> assertThat(books.version.current()).isEqualTo(9));
	}

	@Test
	void readingOrBumpingACacheThatWasNotRegisteredIsRefusedNamingIt() {
		Instance instance = instance(TestRedis.port());
		assertThatIllegalStateException().isThrownBy(() -> instance.namespaces.bump("unknown"))
			.withMessageContaining("'unknown'");
		assertThatIllegalStateException().isThrownBy(() -> instance.namespaces.readNow("unknown"))
			.withMessageContaining("'unknown'");
		instance.namespaces.read("unknown");
		assertThat(stored("unknown")).isNull();
	}

	@Test
	void aBumpIsPublishedToTheOtherInstancesWhenRedisDoesNotReportChanges() {
		Instance here = instance(TestRedis.resp2ConnectionFactory());
		Instance elsewhere = instance(TestRedis.resp2ConnectionFactory());
		here.register("books", true);
		elsewhere.register("books", true);
		assertThat(here.coherence.mode()).isEqualTo(CoherenceMode.PUBSUB);
		awaitSubscribers(2);
		here.namespaces.bump("books");
		String namespaceKey = new String(this.keys.namespace("books"), StandardCharsets.UTF_8);
		await().atMost(WAIT).until(() -> elsewhere.target.changed.contains(namespaceKey));
		assertThat(here.coherence.invalidationsSent()).isEqualTo(1);
	}

	private Instance instance(int port) {
		return instance(TestRedis.connectionFactory("127.0.0.1", port));
	}

	private Instance instance(LettuceConnectionFactory factory) {
		this.opened.add(factory::destroy);
		RecordingTarget target = new RecordingTarget();
		Coherence coherence = track(new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel()));
		RemoteCommands commands = track(RemoteCommands.dedicated(factory, Duration.ofSeconds(5),
				RedisCircuitBreaker.disabled(), coherence));
		coherence.deliverTo(target, commands);
		assertThat(commands.connect(WAIT)).as("connected").isTrue();
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
		this.opened.add(scheduler::shutdownNow);
		return new Instance(new Namespaces(commands, this.keys, coherence, scheduler), coherence, target);
	}

	private void awaitSubscribers(long count) {
		RedisClient client = RedisClient.create(RedisURI.create(TestRedis.host(), TestRedis.port()));
		this.opened.add(client::shutdown);
		StatefulRedisConnection<String, String> connection = client.connect();
		this.opened.add(connection::close);
		String channel = this.keys.invalidationsChannel();
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(connection.sync().pubsubNumsub(channel)).containsEntry(channel, count));
	}

	private <T extends AutoCloseable> T track(T closeable) {
		this.opened.add(closeable);
		return closeable;
	}

	private void store(String cache, String version) {
		this.cacheNames.add(cache);
		try (RedisConnection connection = this.admin.getConnection()) {
			connection.stringCommands().set(this.keys.namespace(cache), bytes(version));
		}
	}

	private @Nullable String stored(String cache) {
		this.cacheNames.add(cache);
		try (RedisConnection connection = this.admin.getConnection()) {
			byte[] value = connection.stringCommands().get(this.keys.namespace(cache));
			return (value != null) ? new String(value, StandardCharsets.US_ASCII) : null;
		}
	}

	private void delete(String cache) {
		try (RedisConnection connection = this.admin.getConnection()) {
			connection.keyCommands().del(this.keys.namespace(cache));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private final class Instance {

		private final Namespaces namespaces;

		private final Coherence coherence;

		private final RecordingTarget target;

		Instance(Namespaces namespaces, Coherence coherence, RecordingTarget target) {
			this.namespaces = namespaces;
			this.coherence = coherence;
			this.target = target;
		}

		CountingCopies register(String cache, boolean readNow) {
			NamespacesTests.this.cacheNames.add(cache);
			CountingCopies copies = new CountingCopies(cache);
			this.namespaces.register(cache, copies.version, copies.queued::set, readNow);
			return copies;
		}

	}

	/** A cache's L1 that counts its clears, with the namespace version that clears it. */
	private static final class CountingCopies implements LocalCopies {

		private final String name;

		private final AtomicInteger clears = new AtomicInteger();

		private final NamespaceVersion version = new NamespaceVersion(this);

		/** The number of write-behind partitions last reported, 0 until one is. */
		private final AtomicInteger queued = new AtomicInteger();

		CountingCopies(String name) {
			this.name = name;
		}

		@Override
		public String cacheName() {
			return this.name;
		}

		@Override
		public long namespace() {
			return this.version.current();
		}

		@Override
		public @Nullable Suspect reported(String renderedKey) {
			return null;
		}

		@Override
		public void dropped(String renderedKey) {
		}

		@Override
		public void clear() {
			this.clears.incrementAndGet();
		}

	}

	private static final class RecordingTarget implements InvalidationTarget {

		private final Queue<String> changed = new ConcurrentLinkedQueue<>();

		@Override
		public void changed(byte[] key) {
			this.changed.add(new String(key, StandardCharsets.UTF_8));
		}

		@Override
		public void resynchronize() {
		}

	}

}
