package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.test.CommandStats;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8: a whole cache is invalidated in O(1) by bumping its namespace version, which every key of
 * the cache carries; other caches are untouched, and other instances learn the new version without
 * a Redis call per read.
 */
class NamespaceClearTests {

	private static final Object ABSENT = new Object();

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	@SingleServer
	void clearOfAHundredThousandEntriesIsOneRoundTripAndLeavesOtherCachesAlone() {
		TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory(), "books",
				UnaryOperator.identity(),
				// a generous timeout: a warm-up clear that timed out on a busy machine would be replayed later,
				// inside the measured window
				(builder) -> builder.cache("authors", CacheSettings.DEFAULTS).cache("warmup", CacheSettings.DEFAULTS)
					.redisTimeout(Duration.ofSeconds(5)));
		TieredCache books = manager.getTieredCache("books");
		TieredCache authors = manager.getTieredCache("authors");
		books.put("dune", "Dune");
		authors.put("herbert", "Frank Herbert");
		fill(this.fixture.prefix + ":{books:0:#i:", 100_000);
		manager.getTieredCache("warmup").clear();
		Map<String, Long> before = CommandStats.ofTestServer();
		books.clear();
		Map<String, Long> after = CommandStats.ofTestServer();
		assertThat(CommandStats.delta(before, after, "evalsha") + CommandStats.delta(before, after, "eval"))
			.as("one script call")
			.isEqualTo(1);
		for (String scan : new String[] { "scan", "keys", "unlink", "del" }) {
			assertThat(CommandStats.delta(before, after, scan)).as(scan).isZero();
		}
		assertThat(books.get("dune", String.class, () -> "reloaded")).isEqualTo("reloaded");
		assertThat(authors.get("herbert", String.class)).isEqualTo("Frank Herbert");
		TieredCache otherInstance = this.fixture.manager(TestRedis.connectionFactory(), "authors",
				UnaryOperator.identity()).getTieredCache("authors");
		assertThat(otherInstance.get("herbert", String.class)).as("read from Redis").isEqualTo("Frank Herbert");
	}

	@Test
	void otherInstancesLearnOfAClearWithoutARedisCallPerRead() {
		TieredCache clearing = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		TieredCache other = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		clearing.put("dune", "Dune");
		// read again until it stays in L1: the instance's start-up clear of L1 (once tracking is on, in the
		// background) may come after the first read filled it
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(other.get("dune", String.class)).isEqualTo("Dune");
			assertThat(other.peekLocal("dune", String.class, String.class, ABSENT)).as("in L1").isEqualTo("Dune");
		});
		clearing.clear();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> other.peekLocal("dune", String.class, String.class, ABSENT) == ABSENT);
		assertThat(other.get("dune", String.class, () -> "reloaded")).isEqualTo("reloaded");
	}

	@Test
	void instanceStartedAfterAClearReadsTheCurrentNamespace() {
		TieredCache first = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		first.put("dune", "old");
		first.clear();
		first.put("dune", "new");
		TieredCache later = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		// read at start, or, if Redis was slow to answer then, by the namespace reader within a second
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(later.get("dune", String.class)).isEqualTo("new"));
	}

	/**
	 * Issue 16 item 19: a namespace key deleted (or lost in a failover) would restart the version
	 * below the one in use, and entries of namespaces cleared since would be read again; the instance
	 * moves Redis past its floor instead.
	 */
	@Test
	void aDeletedNamespaceKeyIsMovedForwardSoClearedEntriesStayInvisible() {
		TieredCache books = connectedInstance();
		books.put("dune", "before the clear");
		books.clear();
		assertThat(namespaceInRedis()).isEqualTo(1);
		this.fixture.rawDelete(namespaceKey());
		// the instance reads the version again on the report of the delete, or within a second
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			assertThat(books.get("dune", String.class)).as("an entry cleared before the delete").isNull();
			return namespaceInRedis() > 1;
		});
		assertThat(books.get("dune", String.class)).isNull();
	}

	/** Issue 16 item 19: a clear made after the namespace key was deleted moves past the floor too. */
	@Test
	void aClearAfterTheNamespaceKeyWasDeletedMovesPastTheFloor() {
		TieredCache books = connectedInstance();
		books.clear();
		books.put("dune", "before the clear");
		books.clear();
		assertThat(namespaceInRedis()).isEqualTo(2);
		this.fixture.rawDelete(namespaceKey());
		books.clear();
		assertThat(books.get("dune", String.class)).as("an entry cleared before the delete").isNull();
		assertThat(namespaceInRedis()).isGreaterThan(2);
	}

	/**
	 * An instance whose Redis calls do not fail on a busy machine (a generous timeout, no breaker), once
	 * it has read its namespace version.
	 */
	private TieredCache connectedInstance() {
		TieredCache books = this.fixture.manager(TestRedis.connectionFactory(), "books", UnaryOperator.identity(),
				(builder) -> builder.redisTimeout(Duration.ofSeconds(5)).redisBreaker(null)).getTieredCache("books");
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			books.put("probe", "written");
			return this.fixture.rawGet(this.fixture.valueKey("books", "probe")) != null;
		});
		return books;
	}

	private String namespaceKey() {
		return this.fixture.prefix + ":ns:{books}";
	}

	private long namespaceInRedis() {
		byte[] version = this.fixture.rawGet(namespaceKey());
		return (version != null) ? Long.parseLong(new String(version, StandardCharsets.US_ASCII)) : 0;
	}

	private void fill(String keyPrefix, int count) {
		LuaScript fill = LuaScript.of("for i = 1, tonumber(ARGV[2]) do redis.call('SET', ARGV[1] .. i .. '}', 'x', 'EX', 600) end");
		LettuceConnectionFactory factory = TestRedis.connectionFactory();
		try (RedisConnection connection = factory.getConnection()) {
			connection.scriptingCommands().eval(fill.source().getBytes(StandardCharsets.UTF_8), ReturnType.STATUS, 0,
					keyPrefix.getBytes(StandardCharsets.UTF_8), Integer.toString(count).getBytes(StandardCharsets.UTF_8));
		}
		finally {
			factory.destroy();
		}
	}

}
