package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.TagVersions;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tracing.CacheTracer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A write an instance makes under a namespace version another instance's clear already superseded goes
 * where no reader looks; an older value of the key written under the new version must not stay readable
 * (found by the consistency checker: a {@code @WriteBehind} value written under the old version, while
 * the cache kept an older one until its TTL). The instance deletes such keys under the new version once
 * it learns of the clear ({@link UnconfirmedWrites}).
 */
class StaleNamespaceWritesTests {

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	/**
	 * Instance B reaches Redis through a proxy that delays every byte by 400 ms each way, so it learns of
	 * A's clear 400 ms late: its put, made right after A's clear and A's put of an older value, is staged
	 * under the old version and lands after the clear. The older value must not stay in the cache.
	 */
	@Test
	@SingleServer
	void aPutMadeUnderASupersededNamespaceDoesNotLeaveAnOlderValueReadable() throws Exception {
		TieredCache a = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache b = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), "books",
					UnaryOperator.identity(), (builder) -> builder.redisTimeout(Duration.ofSeconds(10)))
				.getTieredCache("books");
			proxy.slow(Duration.ofMillis(400));
			a.clear();
			a.put(1L, "older");
			b.put(1L, "newer");
			proxy.restore();
			assertThat(this.fixture.rawGet(this.fixture.prefix + ":{books:0:#l:1}"))
				.as("B's put went under the old version (it had not heard of the clear)")
				.asString(StandardCharsets.ISO_8859_1)
				.contains("newer");

			String newVersionKey = this.fixture.prefix + ":{books:1:#l:1}";
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				byte[] held = this.fixture.rawGet(newVersionKey);
				assertThat((held != null) ? new String(held, StandardCharsets.ISO_8859_1) : "")
					.as("what the new namespace version holds").doesNotContain("older");
				assertThat(a.get(1L, String.class)).as("read on A").isNotEqualTo("older");
			});
		}
	}

	/** Without Redis: which remembered writes a move of the namespace hands to the repair, and when. */
	@Test
	void onlyWritesUnderAnOlderVersionNotConfirmedSinceAreRepaired() {
		CacheContext cache = new CacheContext("books", CacheSettings.DEFAULTS, null, new StatsRecorder(),
				TiercacheErrorHandler.logging(), CacheTracer.NONE, new TagVersions("books", null));
		UnconfirmedWrites writes = cache.unconfirmedWrites();
		List<String> deleted = new ArrayList<>();
		writes.repairWith((key) -> deleted.add(key.rendered() + "@" + key.namespace()));
		RedisKeys keys = new RedisKeys("p");
		writes.completed(key(keys, "confirmed", 3), () -> 3);
		writes.confirmed(3, System.nanoTime() + 1);
		writes.completed(key(keys, "unconfirmed", 3), () -> 3);
		writes.completed(key(keys, "twice", 3), () -> 3);
		writes.completed(key(keys, "twice", 4), () -> 3);
		writes.completed(key(keys, "current", 4), () -> 3);
		writes.superseded(4);
		assertThat(deleted).as("the oldest version a key was written under counts")
			.containsExactlyInAnyOrder("unconfirmed@3", "twice@3");
		assertThat(writes.size()).as("the write under the version in use stays").isEqualTo(1);

		deleted.clear();
		writes.completed(key(keys, "landed after the move", 4), () -> 5);
		assertThat(deleted).as("a write that completes after the move is repaired at once")
			.containsExactly("landed after the move@4");
	}

	private static RemoteKey key(RedisKeys keys, String rendered, long namespace) {
		return new RemoteKey(keys, keys.value("books", namespace, rendered), rendered, "books", namespace, rendered,
				null);
	}

}
