package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The background checks of L1 entries against Redis ({@link CopyChecks}, through {@link L1Coherence}),
 * on a real Redis behind a {@link TcpProxy}: what each check of a batch is told, that a Redis failure
 * answers "no" so that entries leave rather than stay unchecked, and that no more than
 * {@link CopyChecks#CAPACITY} checks wait, the others' suspects leaving at once.
 */
class CopyChecksTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final LettuceConnectionFactory admin = TestRedis.connectionFactory();

	private final TcpProxy proxy;

	private final LettuceConnectionFactory factory;

	private final RemoteCommands redis;

	private final ExecutorService background = Executors.newSingleThreadExecutor();

	private final MovableCopies books = new MovableCopies("books", 3);

	private final L1Coherence coherence;

	private final List<byte[]> written = new ArrayList<>();

	CopyChecksTests() throws Exception {
		this.proxy = TcpProxy.to(TestRedis.port());
		this.factory = TestRedis.connectionFactory("127.0.0.1", this.proxy.port());
		this.redis = RemoteCommands.dedicated(this.factory, Duration.ofSeconds(5), RedisCircuitBreaker.disabled());
		this.coherence = new L1Coherence(this.keys, this.redis, this.background, new IgnoredNamespaces(),
				new IgnoredTags());
		this.coherence.follow(this.books);
	}

	@AfterEach
	void close() throws Exception {
		this.proxy.restore();
		try (RedisConnection connection = this.admin.getConnection()) {
			for (byte[] key : this.written) {
				connection.keyCommands().del(key);
			}
		}
		this.coherence.close();
		this.background.shutdownNow();
		this.redis.close();
		this.factory.destroy();
		this.admin.destroy();
		this.proxy.close();
	}

	@Test
	void eachCheckOfABatchIsToldWhetherRedisHoldsItsOwnBytes() {
		store(key("same"), "mine");
		store(key("replaced"), "another write");
		CopyChecks checks = new CopyChecks(this.redis);
		try {
			Map<String, Boolean> answers = new ConcurrentHashMap<>();
			long mine = WriteTokens.of(bytes("mine"));
			checks.submit(this.books, key("same"), 3, mine, (held) -> answers.put("same", held));
			checks.submit(this.books, key("replaced"), 3, mine, (held) -> answers.put("replaced", held));
			checks.submit(this.books, key("deleted"), 3, mine, (held) -> answers.put("deleted", held));
			await().atMost(WAIT).until(() -> answers.size() == 3);
			assertThat(answers).containsExactlyInAnyOrderEntriesOf(
					Map.of("same", true, "replaced", false, "deleted", false));
		}
		finally {
			checks.close();
		}
	}

	@Test
	void checksArrivingWithinTheGatheringTimeShareOneMget() {
		int loads = 10;
		try (EmbeddedRedis server = EmbeddedRedis.installedOrEmbedded()) {
			LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", server.port());
			RemoteCommands commands = RemoteCommands.dedicated(factory, Duration.ofSeconds(5),
					RedisCircuitBreaker.disabled());
			CopyChecks checks = new CopyChecks(commands, Duration.ofSeconds(5));
			try {
				assertThat(commands.connect(WAIT)).isTrue();
				server.resetStats();
				AtomicInteger answered = new AtomicInteger();
				for (int i = 0; i < loads; i++) {
					checks.submit(this.books, key("load-" + i), 3, 1, (held) -> answered.incrementAndGet());
					// loads finishing a millisecond apart, as a stream of misses does
					LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
				}
				await().atMost(WAIT).untilAsserted(() -> assertThat(answered).hasValue(loads));
				assertThat(server.calls("mget")).as("MGETs for " + loads + " checks").isEqualTo(1);
			}
			finally {
				checks.close();
				commands.close();
				factory.destroy();
			}
		}
	}

	@Test
	void checksGatheredWhenTheCheckerClosesAreToldNoSoTheirEntriesLeave() {
		store(key("same"), "mine");
		CopyChecks checks = new CopyChecks(this.redis, Duration.ofMinutes(1));
		Map<String, Boolean> answers = new ConcurrentHashMap<>();
		checks.submit(this.books, key("same"), 3, WriteTokens.of(bytes("mine")), (held) -> answers.put("same", held));
		// the worker waits for more checks to join the batch
		await().atMost(WAIT).until(() -> checks.waiting() == 0);
		checks.close();
		assertThat(answers).containsExactly(Map.entry("same", false));
	}

	@Test
	void checksStillQueuedWhenTheCheckerClosesAreToldNo() {
		assertThat(this.redis.connect(WAIT)).isTrue();
		CopyChecks checks = new CopyChecks(this.redis);
		this.proxy.blackHole();
		AtomicInteger no = new AtomicInteger();
		int submitted = 300;
		for (int i = 0; i < submitted; i++) {
			checks.submit(this.books, key("same"), 3, 1, (held) -> {
				if (!held) {
					no.incrementAndGet();
				}
			});
		}
		// one batch of 256 waits for Redis, the others are queued
		await().atMost(WAIT).until(() -> checks.waiting() == submitted - 256);
		checks.close();
		assertThat(no).hasValue(submitted);
	}

	@Test
	void aCheckOfANamespaceTheCacheLeftMeanwhileIsToldNo() {
		store(key("same"), "mine");
		CopyChecks checks = new CopyChecks(this.redis);
		try {
			this.books.namespace = 4;
			AtomicInteger no = new AtomicInteger();
			AtomicInteger yes = new AtomicInteger();
			checks.submit(this.books, key("same"), 3, WriteTokens.of(bytes("mine")),
					(held) -> (held ? yes : no).incrementAndGet());
			await().atMost(WAIT).until(() -> no.get() + yes.get() == 1);
			assertThat(no).hasValue(1);
		}
		finally {
			checks.close();
		}
	}

	@Test
	void aRedisFailureAnswersTheWholeBatchNoSoSuspectsLeave() {
		store(key("a"), "mine");
		store(key("b"), "mine");
		assertThat(this.redis.connect(WAIT)).isTrue();
		this.proxy.cut();
		WrittenSuspect first = new WrittenSuspect("mine");
		WrittenSuspect second = new WrittenSuspect("mine");
		AtomicBoolean putBack = new AtomicBoolean();
		AtomicInteger answered = new AtomicInteger();
		this.coherence.check(this.books, key("a"), 3, first);
		this.coherence.check(this.books, key("b"), 3, second);
		this.coherence.recheck(this.books, key("a"), 3, WriteTokens.of(bytes("mine")), () -> putBack.set(true));
		this.coherence.check(this.books, key("b"), 3, new WrittenSuspect("mine") {

			@Override
			public void evict() {
				answered.incrementAndGet();
			}

		});
		await().atMost(WAIT).untilAsserted(() -> assertThat(answered).hasValue(1));
		assertThat(first.evicted).isTrue();
		assertThat(second.evicted).isTrue();
		assertThat(putBack).as("a refill is put back only if Redis says it holds its bytes").isFalse();
	}

	@Test
	void noMoreThanTheCapacityWaitsAndTheOthersSuspectsLeaveAtOnce() {
		store(key("held"), "mine");
		assertThat(this.redis.connect(WAIT)).isTrue();
		this.proxy.blackHole();
		int submitted = CopyChecks.CAPACITY + 1_000;
		List<WrittenSuspect> suspects = new ArrayList<>(submitted);
		int leftAtOnce = 0;
		for (int i = 0; i < submitted; i++) {
			WrittenSuspect suspect = new WrittenSuspect("mine");
			suspects.add(suspect);
			this.coherence.check(this.books, key("held"), 3, suspect);
			if (suspect.evicted.get()) {
				leftAtOnce++;
			}
		}
		// one batch (at most 256) is with Redis, the queue holds the capacity, the rest were refused
		assertThat(leftAtOnce).isBetween(submitted - CopyChecks.CAPACITY - 256, submitted - CopyChecks.CAPACITY);
		this.proxy.restore();
		// the queued checks are answered once Redis is back, in order: a check queued after them is
		// answered last (until the queue has room, it is refused)
		AtomicBoolean later = new AtomicBoolean();
		await().atMost(WAIT).until(() -> {
			this.coherence.recheck(this.books, key("held"), 3, WriteTokens.of(bytes("mine")), () -> later.set(true));
			return later.get();
		});
		long stayed = suspects.stream().filter((suspect) -> !suspect.evicted.get()).count();
		assertThat(stayed).as("every check queued was answered, after the first batch that Redis failed or answered")
			.isBetween((long) CopyChecks.CAPACITY - 256, (long) submitted - leftAtOnce);
	}

	private byte[] key(String name) {
		byte[] key = this.keys.value("books", 3, name);
		this.written.add(key);
		return key;
	}

	private void store(byte[] key, String value) {
		try (RedisConnection connection = this.admin.getConnection()) {
			connection.stringCommands().set(key, bytes(value));
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static final class MovableCopies implements LocalCopies {

		private final String name;

		private volatile long namespace;

		MovableCopies(String name, long namespace) {
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
			return null;
		}

		@Override
		public void dropped(String renderedKey) {
		}

		@Override
		public void clear() {
		}

	}

	private static final class IgnoredNamespaces implements NamespaceReader {

		@Override
		public void read(String cacheName) {
		}

		@Override
		public void readAll() {
		}

	}

}
