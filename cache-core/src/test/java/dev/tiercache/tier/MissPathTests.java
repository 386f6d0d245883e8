package dev.tiercache.tier;

import java.time.Duration;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a read costs in the tiers: a miss looks at L1 once after the caller's peek (in the key's single
 * flight, after its stamp) and renders its key as Redis names it once, however many steps the read takes
 * (stamp, Redis read, lease, store, L1 fill); a hit renders nothing. L1's lookups are counted by
 * {@link LocalTier#lookups()} (with assertions enabled, as in tests), renders by a key that counts them.
 * Real Redis.
 */
class MissPathTests {

	private static final String CACHE = "books";

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void aMissAfterThePeekLooksAtL1OnceMoreAndRendersItsKeyOnce() throws Throwable {
		TieredCache cache = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		LocalTier local = Objects.requireNonNull(cache.context().local());
		CountedKey key = new CountedKey("dune");
		long before = local.lookups();
		Object peeked = cache.peekLocal(key, String.class, String.class, CountedKey.ABSENT);
		Object loaded = cache.getOrLoad(key, String.class, String.class, cache.settings(), () -> "Dune", null, null);
		assertThat(peeked).isSameAs(CountedKey.ABSENT);
		assertThat(loaded).isEqualTo("Dune");
		assertThat(local.lookups() - before).as("L1 lookups: the peek, then one in the flight").isEqualTo(2);
		assertThat(key.renders()).as("renders of the key").isEqualTo(1);
	}

	@Test
	void aMissOfSpringsGetWithALoaderLooksAtL1TwiceAndRendersItsKeyOnce() {
		TieredCache cache = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		LocalTier local = Objects.requireNonNull(cache.context().local());
		CountedKey key = new CountedKey("dune");
		long before = local.lookups();
		assertThat(cache.get(key, String.class, () -> "Dune")).isEqualTo("Dune");
		assertThat(local.lookups() - before).as("L1 lookups: its own peek, then one in the flight").isEqualTo(2);
		assertThat(key.renders()).as("renders of the key").isEqualTo(1);
	}

	@Test
	void aMissThatRedisServesRendersItsKeyOnce() {
		TieredCacheManager manager = this.fixture.manager(CACHE, UnaryOperator.identity());
		TieredCache writer = manager.getTieredCache(CACHE);
		writer.put(new CountedKey("dune"), "Dune");
		TieredCache reader = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		CountedKey key = new CountedKey("dune");
		assertThat(reader.get(key, String.class, () -> "loaded")).isEqualTo("Dune");
		assertThat(key.renders()).as("renders of the key").isEqualTo(1);
		assertThat(reader.stats().remoteHits()).isEqualTo(1);
	}

	@Test
	void aMissThatLoadsCostsTwoRoundTripsAndAnL2HitOne() throws Exception {
		int keys = 20;
		try (EmbeddedRedis server = EmbeddedRedis.installedOrEmbedded()) {
			TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", server.port()),
					CACHE, (settings) -> settings.withMode(CacheMode.REMOTE));
			TieredCache cache = manager.getTieredCache(CACHE);
			// the server learns the scripts
			assertThat(cache.get("warm-up", String.class, () -> "loaded")).isEqualTo("loaded");
			server.resetStats();
			for (int i = 0; i < keys; i++) {
				String title = "title " + i;
				assertThat(cache.get("book-" + i, String.class, () -> title)).isEqualTo(title);
			}
			RoundTrips misses = RoundTrips.of(server);
			server.resetStats();
			for (int i = 0; i < keys; i++) {
				assertThat(cache.get("book-" + i, String.class, () -> "loaded again")).isEqualTo("title " + i);
			}
			RoundTrips hits = RoundTrips.of(server);
			this.fixture.closeNow(manager);
			// the server counts the GETs of scripts too: the read-or-lease script's two and the store's one
			assertThat(misses).as("misses that load").isEqualTo(new RoundTrips(2 * keys, 3 * keys));
			assertThat(hits).as("L2 hits").isEqualTo(new RoundTrips(keys, keys));
			assertThat(cache.stats().remoteMisses()).isEqualTo(keys + 1);
			assertThat(cache.stats().remoteHits()).isEqualTo(keys);
		}
	}

	@Test
	void whileL2HitsPrevailAReadBeginsWithAPlainGetAndWhileMissesDoWithTheScript() throws Exception {
		int keys = 40;
		try (EmbeddedRedis server = EmbeddedRedis.installedOrEmbedded()) {
			TieredCacheManager manager = this.fixture.manager(TestRedis.connectionFactory("127.0.0.1", server.port()),
					CACHE, (settings) -> settings.withMode(CacheMode.REMOTE));
			TieredCache cache = manager.getTieredCache(CACHE);
			for (int i = 0; i < keys; i++) {
				cache.put("book-" + i, "title " + i);
			}
			assertThat(cache.get("warm-up", String.class, () -> "loaded")).isEqualTo("loaded");
			server.resetStats();
			for (int i = 0; i < keys; i++) {
				assertThat(cache.get("book-" + i, String.class, () -> "loaded")).isEqualTo("title " + i);
			}
			RoundTrips hits = RoundTrips.of(server);
			server.resetStats();
			for (int i = 0; i < keys; i++) {
				assertThat(cache.get("new-" + i, String.class, () -> "loaded")).isEqualTo("loaded");
			}
			RoundTrips misses = RoundTrips.of(server);
			this.fixture.closeNow(manager);
			// the warm-up's miss left the balance at -1: the first two hits read by script, each GETs once
			assertThat(hits).as("L2 hits").isEqualTo(new RoundTrips(2, keys));
			// the balance is 32 by then: 32 misses begin with a GET (3 round trips), the 8 others with the script
			assertThat(misses).as("misses that load").isEqualTo(new RoundTrips(2 * keys, 32 + 3 * keys));
		}
	}

	/** The scripts a server ran, and the reads it ran, in scripts or not. */
	private record RoundTrips(long scripts, long reads) {

		static RoundTrips of(EmbeddedRedis server) {
			return new RoundTrips(server.calls("evalsha") + server.calls("eval"),
					server.calls("get") + server.calls("mget") + server.calls("hget"));
		}

	}

	@Test
	void anL1HitRendersNothing() {
		TieredCache cache = this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
		// until the value stays in L1: the instance clears L1 once its tracking connection is up, as changes
		// made before were not reported, and that may clear the first fill
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			CountedKey key = new CountedKey("dune");
			assertThat(cache.get(key, String.class, () -> "Dune")).isEqualTo("Dune");
			assertThat(cache.peekLocal(key, String.class, String.class, CountedKey.ABSENT)).isEqualTo("Dune");
			assertThat(key.renders()).as("renders of the key").isZero();
		});
	}

	/**
	 * A cache key that counts how many times Redis's name of it is rendered: rendering reads its one part
	 * through the part's iterator, which nothing else calls (its equality and hash use the name).
	 */
	static final class CountedKey {

		static final Object ABSENT = new Object();

		private final Parts parts;

		CountedKey(String name) {
			this.parts = new Parts(name);
		}

		int renders() {
			return this.parts.iterations.get();
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other instanceof CountedKey key && key.parts.name.equals(this.parts.name);
		}

		@Override
		public int hashCode() {
			return this.parts.name.hashCode();
		}

		@Override
		public String toString() {
			return this.parts.name;
		}

	}

	/** A list of one name, counting its iterations. */
	static final class Parts extends AbstractList<String> {

		private final String name;

		private final transient AtomicInteger iterations = new AtomicInteger();

		Parts(String name) {
			this.name = name;
		}

		@Override
		public String get(int index) {
			return List.of(this.name).get(index);
		}

		@Override
		public int size() {
			return 1;
		}

		@Override
		public Iterator<String> iterator() {
			this.iterations.incrementAndGet();
			return List.of(this.name).iterator();
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other == this;
		}

		@Override
		public int hashCode() {
			return this.name.hashCode();
		}

	}

}
