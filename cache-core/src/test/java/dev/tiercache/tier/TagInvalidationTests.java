package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.coherence.EntryTags;
import dev.tiercache.internal.read.ResultTags;
import dev.tiercache.test.CommandStats;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20 item 1: tags. An invalidation of a tag drops every entry that carries it, on every instance, in
 * one Redis script however many entries do; entries are checked against their tags' versions when read,
 * and a load in flight when the tag is invalidated stores what counts as dropped.
 */
class TagInvalidationTests {

	private static final Object ABSENT = new Object();

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TierFixture fixture = new TierFixture();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		this.fixture.close();
	}

	@Test
	void anInvalidatedTagDropsEveryEntryThatCarriesItAndNoOther() {
		TieredCache books = instance();
		books.put("dune", "Dune", "author:herbert");
		books.put("children", "Children of Dune", List.of("author:herbert", "series:dune"));
		books.put("hyperion", "Hyperion", "series:hyperion");
		books.put("untagged", "Untagged");
		books.invalidateTag("author:herbert");
		assertThat(books.get("dune", String.class)).isNull();
		assertThat(books.get("children", String.class)).isNull();
		assertThat(books.get("hyperion", String.class)).isEqualTo("Hyperion");
		assertThat(books.get("untagged", String.class)).isEqualTo("Untagged");
		TieredCache other = instance();
		assertThat(other.get("dune", String.class)).as("another instance reads Redis").isNull();
		assertThat(other.get("hyperion", String.class)).isEqualTo("Hyperion");
		assertThat(this.fixture.rawGet(this.fixture.valueKey("books", "dune")))
			.as("a stale entry found by a read is deleted").isNull();
		books.put("dune", "Dune, tagged again", "author:herbert");
		assertThat(other.get("dune", String.class)).as("a write after the invalidation counts")
			.isEqualTo("Dune, tagged again");
	}

	@Test
	@SingleServer
	void anInvalidationIsOneScriptHoweverManyEntriesCarryTheTag() {
		TieredCache books = connectedInstance();
		for (int i = 0; i < 10_000; i++) {
			books.put("book" + i, "Book " + i, "publisher:ace");
		}
		books.put("other", "Other", "publisher:tor");
		books.invalidateTag("warm-up");
		Map<String, Long> before = CommandStats.ofTestServer();
		books.invalidateTag("publisher:ace");
		Map<String, Long> after = CommandStats.ofTestServer();
		assertThat(CommandStats.delta(before, after, "evalsha") + CommandStats.delta(before, after, "eval"))
			.as("one script call")
			.isEqualTo(1);
		// not MGET or GET: the instances read their namespaces and tag clocks with MGET every second, so the
		// server's counts move by themselves; the one script is the invalidation
		for (String other : new String[] { "scan", "keys", "unlink", "del" }) {
			assertThat(CommandStats.delta(before, after, other)).as(other).isZero();
		}
		for (int i = 0; i < 10_000; i += 997) {
			assertThat(books.get("book" + i, String.class)).as("book" + i).isNull();
		}
		assertThat(books.get("other", String.class)).isEqualTo("Other");
	}

	@Test
	void otherInstancesDropTheirL1CopiesWhenRedisReportsTheTag() {
		TieredCache writer = instance();
		TieredCache reader = instance();
		writer.put("dune", "Dune", "author:herbert");
		awaitInL1(reader, "dune", "Dune");
		writer.invalidateTag("author:herbert");
		await().atMost(WAIT).until(() -> reader.peekLocal("dune", String.class, String.class, ABSENT) == ABSENT);
		assertThat(reader.get("dune", String.class, () -> "reloaded")).isEqualTo("reloaded");
	}

	@Test
	void otherInstancesDropTheirL1CopiesWithPublishedInvalidations() {
		TieredCache writer = instance(TestRedis.resp2ConnectionFactory());
		TieredCacheManager readerManager = this.fixture.manager(TestRedis.resp2ConnectionFactory(), "books",
				UnaryOperator.identity());
		assertThat(readerManager.coherenceMode()).isEqualTo(CoherenceMode.PUBSUB);
		TieredCache reader = readerManager.getTieredCache("books");
		writer.put("dune", "Dune", "author:herbert");
		awaitInL1(reader, "dune", "Dune");
		writer.invalidateTag("author:herbert");
		await().atMost(WAIT).until(() -> reader.peekLocal("dune", String.class, String.class, ABSENT) == ABSENT);
	}

	/**
	 * A published invalidation can be lost unnoticed (here: the tag changed outside Tiercache, so nobody
	 * published it): instances without tracking read the versions they know again every second.
	 */
	@Test
	void withPublishedInvalidationsATagChangedUnannouncedIsSeenWithinTheReadInterval() {
		TieredCache writer = instance(TestRedis.resp2ConnectionFactory());
		TieredCache reader = instance(TestRedis.resp2ConnectionFactory());
		writer.put("dune", "Dune", "author:herbert");
		awaitInL1(reader, "dune", "Dune");
		this.fixture.rawSet(this.fixture.prefix + ":tag:{books}author:herbert",
				Long.toString(Long.MAX_VALUE - 1).getBytes(StandardCharsets.US_ASCII));
		await().atMost(WAIT).until(() -> reader.peekLocal("dune", String.class, String.class, ABSENT) == ABSENT);
		assertThat(reader.get("dune", String.class)).isNull();
	}

	/**
	 * The race tags must win: a load that read the data before the tag was invalidated stores after it. The
	 * entry is stamped with the clock from before the load, so it counts as dropped, here and elsewhere.
	 */
	@Test
	void aLoadInFlightWhenItsTagIsInvalidatedHereStoresWhatCountsAsDropped() throws Exception {
		TieredCache books = instance();
		loadRacingAnInvalidation(books, books);
	}

	@Test
	void aLoadInFlightWhenItsTagIsInvalidatedElsewhereStoresWhatCountsAsDropped() throws Exception {
		loadRacingAnInvalidation(instance(), instance());
	}

	private void loadRacingAnInvalidation(TieredCache loading, TieredCache invalidating) throws Exception {
		CountDownLatch readTheDatabase = new CountDownLatch(1);
		CountDownLatch invalidated = new CountDownLatch(1);
		Future<@Nullable Object> load = this.executor.submit(() -> {
			try {
				return loading.getOrLoad("dune", String.class, String.class, loading.settings(), () -> {
					readTheDatabase.countDown();
					assertThat(invalidated.await(10, TimeUnit.SECONDS)).isTrue();
					return "Dune, as read before the change";
				}, null, (result) -> List.of("author:herbert"));
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(readTheDatabase.await(10, TimeUnit.SECONDS)).isTrue();
		invalidating.invalidateTag("author:herbert");
		invalidated.countDown();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("Dune, as read before the change");
		assertThat(this.fixture.rawGet(this.fixture.valueKey("books", "dune"))).as("stored under its lease")
			.isNotNull();
		await().atMost(WAIT).untilAsserted(() -> assertThat(loading.get("dune", String.class, () -> "Dune, reloaded"))
			.as("the loading instance (at once if it invalidated, else once the report came)")
			.isEqualTo("Dune, reloaded"));
		assertThat(instance().get("dune", String.class, () -> "Dune, read again")).isEqualTo("Dune, reloaded");
	}

	@Test
	void tagsComputedFromTheLoadedValueAreStoredWithIt() throws Throwable {
		TieredCache books = instance();
		ResultTags byAuthor = (result) -> List.of("author:" + ((String) result).split(":")[0]);
		AtomicInteger loads = new AtomicInteger();
		for (String key : List.of("herbert:dune", "simmons:hyperion")) {
			assertThat(books.getOrLoad(key, String.class, String.class, books.settings(), () -> {
				loads.incrementAndGet();
				return key;
			}, null, byAuthor)).isEqualTo(key);
		}
		books.invalidateTag("author:herbert");
		assertThat(books.get("herbert:dune", String.class)).isNull();
		assertThat(books.get("simmons:hyperion", String.class)).isEqualTo("simmons:hyperion");
		assertThat(loads).hasValue(2);
	}

	@Test
	void aCachedNullCarriesItsTagsToo() throws Throwable {
		TieredCache books = instance();
		assertThat(books.getOrLoad("missing", String.class, String.class, books.settings(), () -> null, null,
				(result) -> List.of("shelf:7"))).isNull();
		assertThat(books.get("missing")).as("a null marker").isNotNull();
		books.invalidateTag("shelf:7");
		assertThat(books.get("missing")).isNull();
		assertThat(instance().get("missing")).isNull();
	}

	@Test
	void aCacheWithoutRedisKeepsItsTagsItself() {
		TieredCache local = this.fixture.cache("books", CacheMode.LOCAL);
		local.put("dune", "Dune", "author:herbert");
		local.put("hyperion", "Hyperion", "author:simmons");
		local.invalidateTag("author:herbert");
		assertThat(local.get("dune", String.class)).isNull();
		assertThat(local.get("hyperion", String.class)).isEqualTo("Hyperion");
	}

	@Test
	void tagsThatCannotBeOnesAreRefusedNamingWhatIsWrong() {
		TieredCache books = instance();
		assertThatIllegalArgumentException().isThrownBy(() -> books.put("k", "v", " "))
			.withMessageContaining("blank");
		assertThatIllegalArgumentException().isThrownBy(() -> books.invalidateTag("x".repeat(300)))
			.withMessageContaining("longer than " + EntryTags.MAX_TAG_BYTES + " bytes");
		assertThatIllegalArgumentException().isThrownBy(() -> books.put("k", "v", "\uD800"))
			.withMessageContaining("lone surrogate");
		String[] tooMany = new String[EntryTags.MAX_TAGS + 1];
		for (int i = 0; i < tooMany.length; i++) {
			tooMany[i] = "t" + i;
		}
		assertThatIllegalArgumentException().isThrownBy(() -> books.put("k", "v", tooMany))
			.withMessageContaining("at most " + EntryTags.MAX_TAGS);
		assertThat(books.get("k")).as("nothing stored").isNull();
	}

	/**
	 * The clock lost (a failover, a flush of the key): an invalidation must still be newer than entries
	 * stamped before. The instances move the clock back up to what they knew within a read interval.
	 */
	@Test
	void aLostTagClockIsMovedBackUpSoLaterInvalidationsStillDropOlderEntries() {
		TieredCache books = instance();
		for (int i = 0; i < 5; i++) {
			books.invalidateTag("warm-up");
		}
		books.put("dune", "Dune", "author:herbert");
		String clockKey = this.fixture.prefix + ":tags:{books}";
		this.fixture.rawDelete(clockKey);
		await().atMost(WAIT).until(() -> clockInRedis(clockKey) >= 5);
		TieredCache fresh = instance();
		fresh.invalidateTag("author:herbert");
		assertThat(fresh.get("dune", String.class)).isNull();
		await().atMost(WAIT).untilAsserted(() -> assertThat(books.get("dune", String.class)).isNull());
	}

	/**
	 * Redis does not take the invalidation (the instance is cut off from it): the invalidating instance
	 * serves no entry carrying the tag, and the invalidation is made once Redis answers, whether the
	 * instance's repairs had room for it (the first tag) or not (the second: retried with the cache's tags).
	 */
	@Test
	void anInvalidationRedisDidNotTakeIsMadeOnceItAnswersAndNothingTaggedIsServedMeanwhile() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			TieredCache books = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", proxy.port()), "books",
					UnaryOperator.identity(),
					(builder) -> builder.redisTimeout(Duration.ofMillis(200)).redisBreaker(null).maxPendingRepairs(1))
				.getTieredCache("books");
			TieredCache other = instance();
			books.put("dune", "Dune", "author:herbert");
			books.put("hyperion", "Hyperion", "author:simmons");
			awaitInL1(books, "dune", "Dune");
			awaitInL1(books, "hyperion", "Hyperion");
			assertThat(other.get("dune", String.class)).isEqualTo("Dune");
			assertThat(other.get("hyperion", String.class)).isEqualTo("Hyperion");
			proxy.cut();
			books.invalidateTag("author:herbert");
			books.invalidateTag("author:simmons");
			assertThat(books.stats().repairsDropped()).as("no room for the second").isPositive();
			assertThat(books.peekLocal("dune", String.class, String.class, ABSENT)).as("not served from L1")
				.isSameAs(ABSENT);
			assertThat(books.peekLocal("hyperion", String.class, String.class, ABSENT)).isSameAs(ABSENT);
			assertThat(other.get("dune", String.class)).as("not made yet").isEqualTo("Dune");
			proxy.restore();
			await().atMost(WAIT).untilAsserted(() -> {
				assertThat(other.get("dune", String.class)).as("replayed with the repairs").isNull();
				assertThat(other.get("hyperion", String.class)).as("retried with the cache's tags").isNull();
			});
			assertThat(books.get("dune", String.class, () -> "reloaded")).isEqualTo("reloaded");
		}
	}

	private TieredCache instance() {
		return instance(TestRedis.connectionFactory());
	}

	private TieredCache instance(LettuceConnectionFactory connectionFactory) {
		return this.fixture.manager(connectionFactory, "books", UnaryOperator.identity()).getTieredCache("books");
	}

	/** An instance whose Redis calls do not fail on a busy machine (a generous timeout, no breaker). */
	private TieredCache connectedInstance() {
		return this.fixture.manager(TestRedis.connectionFactory(), "books", UnaryOperator.identity(),
				(builder) -> builder.redisTimeout(Duration.ofSeconds(5)).redisBreaker(null)).getTieredCache("books");
	}

	/** Reads until the value stays in the instance's L1 (its start-up clear may come after a first read). */
	private static void awaitInL1(TieredCache cache, String key, String value) {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(cache.get(key, String.class)).isEqualTo(value);
			assertThat(cache.peekLocal(key, String.class, String.class, ABSENT)).as("in L1").isEqualTo(value);
		});
	}

	private long clockInRedis(String clockKey) {
		byte[] clock = this.fixture.rawGet(clockKey);
		return (clock != null) ? Long.parseLong(new String(clock, StandardCharsets.US_ASCII)) : 0;
	}

}
