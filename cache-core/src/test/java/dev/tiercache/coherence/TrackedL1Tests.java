package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.types.Expiration;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link Coherence} delivering to {@link L1Coherence}, as a manager wires them, on real Redis servers:
 * what reaches a cache's L1 when other clients change keys, how an entry this instance wrote is kept
 * until Redis no longer holds its bytes, and that missed changes clear every L1 away from Redis's I/O
 * thread.
 */
class TrackedL1Tests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final List<AutoCloseable> opened = new ArrayList<>();

	private final RecordingCopies books = new RecordingCopies("books", 3);

	private final RecordingNamespaces namespaces = new RecordingNamespaces();

	private final ExecutorService background = Executors.newSingleThreadExecutor();

	@AfterEach
	void close() throws Exception {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
		this.background.shutdownNow();
	}

	@Test
	void anotherClientsWriteReachesTheCachesL1AsTheKeyItRendered() {
		LettuceConnectionFactory other = factory(TestRedis.port());
		connect(TestRedis.port());
		set(other, this.keys.value("books", 3, "#l:42"), "elsewhere");
		set(other, this.keys.value("books", 2, "#l:7"), "an older namespace");
		set(other, this.keys.value("books", 3, "marker"), "last");
		await().atMost(WAIT).until(() -> this.books.reported.contains("marker"));
		assertThat(this.books.reported).containsExactly("#l:42", "marker");
	}

	@Test
	void anotherInstancesClearIsReadAgainAtOnce() {
		LettuceConnectionFactory other = factory(TestRedis.port());
		connect(TestRedis.port());
		set(other, this.keys.namespace("books"), "4");
		await().atMost(WAIT).until(() -> this.namespaces.read.contains("books"));
		assertThat(this.namespaces.readOn).allSatisfy((thread) -> assertThat(thread).doesNotContain("lettuce"));
	}

	@Test
	void anEntryThisInstanceWroteOnAnotherConnectionStaysWhileRedisHoldsItsBytesAndLeavesOnceReplaced() {
		LettuceConnectionFactory other = factory(TestRedis.port());
		L1Coherence coherence = connect(TestRedis.port());
		byte[] key = this.keys.value("books", 3, "k");
		WrittenSuspect suspect = new WrittenSuspect("mine");
		this.books.suspect = suspect;
		// this instance's second connection (write-behind has one): Redis reports the write back
		LettuceConnectionFactory ownSecondConnection = factory(TestRedis.port());
		set(ownSecondConnection, key, "mine");
		await().atMost(WAIT).until(() -> this.books.reported.contains("k"));
		AtomicBoolean checkedAfter = new AtomicBoolean();
		coherence.recheck(this.books, key, 3, WriteTokens.of(bytes("mine")), () -> checkedAfter.set(true));
		await().atMost(WAIT).untilTrue(checkedAfter);
		assertThat(suspect.evicted).as("Redis still holds what this instance wrote").isFalse();

		set(other, key, "theirs");
		await().atMost(WAIT).untilTrue(suspect.evicted);
	}

	@Test
	void aFlushClearsEveryL1AndReadsTheNamespacesAgainAwayFromRedissThread() {
		EmbeddedRedis server = track(EmbeddedRedis.start());
		RecordingCopies other = new RecordingCopies("other", 1);
		connect(server.port(), other);
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.namespaces.readAll).hasValue(1));
		assertThat(this.books.cleared).as("connecting: changes may have been missed").hasValue(1);
		try (RedisConnection connection = factory(server.port()).getConnection()) {
			connection.serverCommands().flushAll();
		}
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.namespaces.readAll).hasValue(2));
		assertThat(this.books.cleared).hasValue(2);
		assertThat(other.cleared).hasValue(2);
		assertThat(this.books.clearedOn).allSatisfy((thread) -> assertThat(thread).doesNotContain("lettuce"));
	}

	@Test
	void afterAnOutageEveryL1IsClearedAndTheNamespacesReadOnTheCallingThread() {
		L1Coherence coherence = new L1Coherence(this.keys, commands(TestRedis.port()), this.background,
				this.namespaces, new IgnoredTags());
		this.opened.add(coherence);
		coherence.follow(this.books);
		coherence.clearAndReread();
		String caller = Thread.currentThread().getName();
		assertThat(this.books.clearedOn).containsExactly(caller);
		assertThat(this.namespaces.readAllOn).containsExactly(caller);
	}

	@Test
	void changesReportedWhileShuttingDownAreIgnored() {
		L1Coherence coherence = new L1Coherence(this.keys, commands(TestRedis.port()), this.background,
				this.namespaces, new IgnoredTags());
		this.opened.add(coherence);
		coherence.follow(this.books);
		this.background.shutdown();
		coherence.resynchronize();
		coherence.changed(this.keys.namespace("books"));
		assertThat(this.books.cleared).hasValue(0);
		assertThat(this.namespaces.read).isEmpty();
	}

	private L1Coherence connect(int port, LocalCopies... others) {
		LettuceConnectionFactory factory = factory(port);
		Coherence coherence = track(new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel()));
		RemoteCommands commands = track(RemoteCommands.dedicated(factory, Duration.ofSeconds(5),
				RedisCircuitBreaker.disabled(), coherence));
		L1Coherence l1 = track(
				new L1Coherence(this.keys, commands, this.background, this.namespaces, new IgnoredTags()));
		l1.follow(this.books);
		for (LocalCopies other : others) {
			l1.follow(other);
		}
		coherence.deliverTo(l1, commands);
		assertThat(commands.connect(WAIT)).as("connected").isTrue();
		assertThat(coherence.mode()).isEqualTo(CoherenceMode.TRACKING);
		return l1;
	}

	private RemoteCommands commands(int port) {
		return track(RemoteCommands.dedicated(factory(port), Duration.ofSeconds(5), RedisCircuitBreaker.disabled()));
	}

	private LettuceConnectionFactory factory(int port) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", port);
		this.opened.add(factory::destroy);
		return factory;
	}

	private <T extends AutoCloseable> T track(T closeable) {
		this.opened.add(closeable);
		return closeable;
	}

	private void set(LettuceConnectionFactory factory, byte[] key, String value) {
		try (RedisConnection connection = factory.getConnection()) {
			connection.stringCommands().set(key, bytes(value), Expiration.seconds(60), SetOption.upsert());
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static final class RecordingCopies implements LocalCopies {

		private final String name;

		private final long namespace;

		private final Queue<String> reported = new ConcurrentLinkedQueue<>();

		private final AtomicInteger cleared = new AtomicInteger();

		private final Queue<String> clearedOn = new ConcurrentLinkedQueue<>();

		private volatile LocalCopies.@Nullable Suspect suspect;

		RecordingCopies(String name, long namespace) {
			this.name = name;
			this.namespace = namespace;
		}

		@Override
		public String cacheName() {
			return this.name;
		}

		@Override
		public long namespace() {
			return this.namespace;
		}

		@Override
		public LocalCopies.@Nullable Suspect reported(String renderedKey) {
			this.reported.add(renderedKey);
			return this.suspect;
		}

		@Override
		public void dropped(String renderedKey) {
		}

		@Override
		public void clear() {
			this.clearedOn.add(Thread.currentThread().getName());
			this.cleared.incrementAndGet();
		}

	}

	private static final class RecordingNamespaces implements NamespaceReader {

		private final Queue<String> read = new ConcurrentLinkedQueue<>();

		private final Queue<String> readOn = new ConcurrentLinkedQueue<>();

		private final AtomicInteger readAll = new AtomicInteger();

		private final Queue<String> readAllOn = new ConcurrentLinkedQueue<>();

		@Override
		public void read(String cacheName) {
			this.readOn.add(Thread.currentThread().getName());
			this.read.add(cacheName);
		}

		@Override
		public void readAll() {
			this.readAllOn.add(Thread.currentThread().getName());
			this.readAll.incrementAndGet();
		}

	}

}
