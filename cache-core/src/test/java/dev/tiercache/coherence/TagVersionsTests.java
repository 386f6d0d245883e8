package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What one instance knows of a cache's tags ({@link TagVersions}), against the races its adversarial
 * review found: a report lost to this instance's own invalidation in flight, concurrent invalidations of a
 * cache without Redis, and versions beyond what Lua counts exactly.
 */
class TagVersionsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final RedisKeys keys = new RedisKeys(TestRedis.uniquePrefix());

	private final List<AutoCloseable> opened = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
	}

	/**
	 * Another instance's invalidation of the tag, reported while this instance's own is in flight, may have
	 * been made after it: the version this instance's script returns must not count as verified.
	 */
	@Test
	@SingleServer
	void aReportWhileThisInstancesInvalidationIsInFlightLeavesTheVersionUnverified() throws Exception {
		TagVersions books = tags().register("books");
		books.invalidate("warm-up");
		pauseWrites(1500);
		Future<?> invalidation = this.executor.submit(() -> books.invalidate("author:7"));
		await().atMost(WAIT).until(() -> books.pending("author:7"));
		books.reported("author:7");
		invalidation.get(10, TimeUnit.SECONDS);
		assertThat(books.pending("author:7")).isFalse();
		assertThat(books.verified("author:7")).as("read again before it is relied on").isFalse();
		assertThat(books.freshLocally(new EntryTags(List.of("author:7"), books.stamp()))).isFalse();
		assertThat(books.fresh(new EntryTags(List.of("author:7"), books.stamp()))).as("read from Redis").isTrue();
		assertThat(books.verified("author:7")).isTrue();
	}

	/** Without Redis, the newer of two concurrent invalidations stays, whatever order their writes land in. */
	@Test
	void concurrentInvalidationsOfACacheWithoutRedisKeepTheNewer() throws Exception {
		TagVersions local = new TagVersions("local", null);
		CyclicBarrier start = new CyclicBarrier(2);
		for (int round = 0; round < 20_000; round++) {
			Future<?> other = this.executor.submit(() -> {
				start.await();
				local.invalidate("author:7");
				return null;
			});
			start.await();
			local.invalidate("author:7");
			other.get(10, TimeUnit.SECONDS);
			long newest = local.stamp();
			assertThat(local.freshLocally(new EntryTags(List.of("author:7"), newest - 1)))
				.as("an entry stamped before the newer invalidation, round %d", round)
				.isFalse();
		}
	}

	/**
	 * A tag key holding a number Lua cannot count exactly (set by someone else) is taken for one that cannot
	 * be read: entries carrying the tag are not served, an invalidation still works and keeps the clock a
	 * small integer, and the version it sets replaces the unreadable one.
	 */
	@Test
	void aVersionBeyondWhatLuaCountsExactlyNeitherBreaksInvalidationsNorSticks() {
		Tags tags = tags();
		TagVersions books = tags.register("books");
		TagVersions elsewhere = tags().register("books");
		books.invalidate("warm-up");
		long stamp = books.stamp();
		rawSet(this.keys.tag("books", "author:7"), Long.toString(Long.MAX_VALUE - 1));
		assertThat(elsewhere.fresh(new EntryTags(List.of("author:7"), stamp))).isFalse();
		assertThat(elsewhere.stamp()).as("the clock learned is not the unreadable version").isLessThan(stamp + 1);
		books.invalidate("author:7");
		assertThat(rawGet(this.keys.tagClock("books"))).isEqualTo(Long.toString(stamp + 1));
		assertThat(elsewhere.fresh(new EntryTags(List.of("author:7"), stamp + 1)))
			.as("stored after it, though no report told of the change")
			.isTrue();
		assertThat(elsewhere.freshLocally(new EntryTags(List.of("author:7"), stamp + 1)))
			.as("the unreadable version was replaced")
			.isTrue();
		books.invalidate("author:7");
		assertThat(rawGet(this.keys.tagClock("books"))).isEqualTo(Long.toString(stamp + 2));
	}

	private Tags tags() {
		LettuceConnectionFactory factory = TestRedis.connectionFactory();
		this.opened.add(factory::destroy);
		Coherence coherence = new Coherence(factory, this.keys.trackedPrefixes(), this.keys.invalidationsChannel());
		this.opened.add(coherence);
		RemoteCommands commands = RemoteCommands.dedicated(factory, Duration.ofSeconds(5),
				RedisCircuitBreaker.disabled(), coherence);
		this.opened.add(commands);
		coherence.deliverTo(new InvalidationTarget() {

			@Override
			public void changed(byte[] key) {
			}

			@Override
			public void resynchronize() {
			}

		}, commands);
		assertThat(commands.connect(WAIT)).as("connected").isTrue();
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
		this.opened.add(scheduler::shutdownNow);
		return new Tags(commands, this.keys, coherence, scheduler);
	}

	private void pauseWrites(long millis) {
		inspect((connection) -> connection.execute("CLIENT", bytes("PAUSE"), bytes(Long.toString(millis)),
				bytes("WRITE")));
	}

	private void rawSet(byte[] key, String value) {
		inspect((connection) -> connection.stringCommands().set(key, bytes(value)));
	}

	private String rawGet(byte[] key) {
		byte[][] value = new byte[1][];
		inspect((connection) -> value[0] = connection.stringCommands().get(key));
		return (value[0] != null) ? new String(value[0], StandardCharsets.US_ASCII) : "";
	}

	private static void inspect(Consumer<RedisConnection> action) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory();
		try (RedisConnection connection = factory.getConnection()) {
			action.accept(connection);
		}
		finally {
			factory.destroy();
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
