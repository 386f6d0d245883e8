package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKey;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link L1Coherence} on a real Redis: which reported changes reach which L1, and how suspects and
 * refills are settled against what Redis holds.
 */
class L1CoherenceTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final LettuceConnectionFactory factory = TestRedis.connectionFactory();

	private final RemoteCommands redis = RemoteCommands.dedicated(this.factory, Duration.ofSeconds(2),
			RedisCircuitBreaker.disabled());

	private final ExecutorService background = Executors.newSingleThreadExecutor();

	private final RecordingNamespaces namespaces = new RecordingNamespaces();

	private final L1Coherence coherence = new L1Coherence(this.keys, this.redis, this.background, this.namespaces,
			this.namespaces);

	private final RecordingCopies books = new RecordingCopies("books", 3);

	private final RecordingCopies other = new RecordingCopies("other", 3);

	L1CoherenceTests() {
		this.coherence.follow(this.books);
		this.coherence.follow(this.other);
	}

	@AfterEach
	void stop() {
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.keyCommands().del(this.keys.value("books", 3, "k"), this.keys.value("books", 2, "k"));
		}
		this.coherence.close();
		this.background.shutdownNow();
		this.redis.close();
		this.factory.destroy();
	}

	@Test
	void aReportedValueOfTheCurrentNamespaceReachesOnlyItsCachesL1() {
		this.coherence.changed(this.keys.value("books", 3, "#l:42"));
		assertThat(this.books.reported).containsExactly("#l:42");
		assertThat(this.other.reported).isEmpty();
	}

	@Test
	void reportsThatConcernNoL1EntryAreIgnored() {
		this.coherence.changed(this.keys.value("books", 2, "of an older namespace"));
		this.coherence.changed(this.keys.value("unfollowed", 3, "k"));
		this.coherence.changed(this.keys.build(new RedisKey.Entry(RedisKey.EntryPart.LOCK, "books", 3, "a lease")));
		this.coherence.changed(this.keys.partition(RedisKey.PartitionPart.PENDING, "books", 0));
		this.coherence.changed(new RedisKeys("elsewhere").value("books", 3, "another application"));
		this.coherence.changed("not a key of ours".getBytes(StandardCharsets.UTF_8));
		assertThat(this.books.reported).isEmpty();
		assertThat(this.namespaces.read).isEmpty();
		assertThat(this.namespaces.tagsChanged).isEmpty();
	}

	@Test
	void aReportedTagIsToldOnTheIoThreadForItsCache() {
		this.coherence.changed(this.keys.tag("books", "author:7 {odd}"));
		this.coherence.changed(this.keys.tagClock("books"));
		assertThat(this.namespaces.tagsChanged).containsExactly("books/author:7 {odd}");
		assertThat(this.books.reported).as("a tag concerns no key").isEmpty();
	}

	@Test
	void aReportedNamespaceVersionIsReadAgainInTheBackground() {
		this.coherence.changed(this.keys.namespace("books"));
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.namespaces.read).containsExactly("books"));
		assertThat(this.books.cleared).as("moving the namespace is what clears L1").hasValue(0);
	}

	@Test
	void aSuspectLeavesL1WhenRedisHoldsOtherBytes() {
		store(this.keys.value("books", 3, "k"), "another write");
		WrittenSuspect suspect = new WrittenSuspect("mine");
		this.books.suspect = suspect;
		this.coherence.changed(this.keys.value("books", 3, "k"));
		await().atMost(WAIT).untilTrue(suspect.evicted);
	}

	@Test
	void aSuspectStaysWhenRedisStillHoldsItsBytes() {
		store(this.keys.value("books", 3, "k"), "mine");
		WrittenSuspect suspect = new WrittenSuspect("mine");
		AtomicBoolean settled = new AtomicBoolean();
		this.coherence.check(this.books, this.keys.value("books", 3, "k"), 3, suspect);
		this.coherence.recheck(this.books, this.keys.value("books", 3, "k"), 3, WriteTokens.of(bytes("mine")),
				() -> settled.set(true));
		await().atMost(WAIT).untilTrue(settled);
		assertThat(suspect.evicted).as("checks are settled in order: the suspect's before the refill's").isFalse();
	}

	@Test
	void aSuspectOfAnotherNamespaceLeavesThoughRedisHoldsItsBytes() {
		store(this.keys.value("books", 2, "k"), "mine");
		WrittenSuspect suspect = new WrittenSuspect("mine");
		this.coherence.check(this.books, this.keys.value("books", 2, "k"), 2, suspect);
		await().atMost(WAIT).untilTrue(suspect.evicted);
	}

	@Test
	void aSuspectWithoutARedisNameLeavesAtOnce() {
		WrittenSuspect suspect = new WrittenSuspect("mine");
		this.coherence.check(this.books, null, 3, suspect);
		assertThat(suspect.evicted).isTrue();
	}

	@Test
	void aRefillIsPutBackOnlyIfRedisStillHoldsItsBytes() {
		store(this.keys.value("books", 3, "k"), "newer");
		AtomicInteger putBack = new AtomicInteger();
		AtomicBoolean held = new AtomicBoolean();
		this.coherence.recheck(this.books, this.keys.value("books", 3, "k"), 3, WriteTokens.of(bytes("older")),
				putBack::incrementAndGet);
		this.coherence.recheck(this.books, this.keys.value("books", 3, "k"), 3, WriteTokens.of(bytes("newer")),
				() -> held.set(true));
		await().atMost(WAIT).untilTrue(held);
		assertThat(putBack).as("checked in order, so the older one was settled first").hasValue(0);
	}

	@Test
	void resynchronizingClearsEveryL1AndReadsEveryNamespace() {
		this.coherence.resynchronize();
		await().atMost(WAIT).untilAsserted(() -> assertThat(this.namespaces.readAll).hasValue(1));
		assertThat(this.books.cleared).hasValue(1);
		assertThat(this.other.cleared).hasValue(1);
		assertThat(this.namespaces.tagsForgotten).as("reports of tags may have been missed too").hasValue(1);
	}

	@Test
	void aDeleteMadeBehindL1sBackDropsTheEntry() {
		this.coherence.dropped(this.books, "k");
		assertThat(this.books.dropped).containsExactly("k");
	}

	private void store(byte[] key, String value) {
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.stringCommands().set(key, bytes(value));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** An L1 that records what it is told, and keeps {@link #suspect} when told of a change. */
	private static final class RecordingCopies implements LocalCopies {

		private final String name;

		private final long namespace;

		private final Queue<String> reported = new ConcurrentLinkedQueue<>();

		private final Queue<String> dropped = new ConcurrentLinkedQueue<>();

		private final AtomicInteger cleared = new AtomicInteger();

		private volatile @Nullable WrittenSuspect suspect;

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
			this.dropped.add(renderedKey);
		}

		@Override
		public void clear() {
			this.cleared.incrementAndGet();
		}

	}

	private static final class RecordingNamespaces implements NamespaceReader, TagReports {

		private final List<String> read = new CopyOnWriteArrayList<>();

		private final AtomicInteger readAll = new AtomicInteger();

		private final List<String> tagsChanged = new CopyOnWriteArrayList<>();

		private final AtomicInteger tagsForgotten = new AtomicInteger();

		@Override
		public void tagChanged(String cacheName, String tag) {
			this.tagsChanged.add(cacheName + "/" + tag);
		}

		@Override
		public void forgetTags() {
			this.tagsForgotten.incrementAndGet();
		}

		@Override
		public void read(String cacheName) {
			this.read.add(cacheName);
		}

		@Override
		public void readAll() {
			this.readAll.incrementAndGet();
		}

	}

}
