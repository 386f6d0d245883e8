package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.internal.write.CoordinatedWrites;
import dev.tiercache.internal.write.StagedWrite;
import dev.tiercache.internal.write.WriteIntent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * What a {@link TieredCache} coordinates with the write patterns and the write-behind queue
 * ({@link CoordinatedWrites}), on a real Redis, two managers standing for two instances: an intent
 * completed or abandoned once, in a cache without Redis too, and one completed after the cache was
 * cleared; loads revoked without a change to what is cached; a staged write that may not have been
 * applied, which leaves no value in L1 that Redis may not hold; and a staged write settled once only.
 */
class CoordinatedWritesTests {

	private static final Object ABSENT = new Object();

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void anIntentInACacheWithoutRedisPutsTheValueWhenCompletedAndEvictsForANull() {
		TieredCache cache = this.fixture.cache("books", CacheMode.LOCAL);
		cache.put("k", "old");
		WriteIntent intent = cache.coordinatedWrites().intendWrite("k");
		assertThat(cache.get("k", String.class)).as("announced, not written").isEqualTo("old");
		intent.complete("new", String.class);
		assertThat(cache.get("k", String.class)).isEqualTo("new");

		cache.coordinatedWrites().intendWrite("k").complete(null, String.class);
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void anIntentIsSettledOnceAndLaterCallsDoNothing() {
		TieredCache cache = this.fixture.cache("books", CacheMode.BOTH);
		WriteIntent intent = cache.coordinatedWrites().intendWrite("k");
		intent.complete("first", String.class);
		intent.complete("second", String.class);
		intent.abandon();
		assertThat(cache.get("k", String.class)).isEqualTo("first");
		assertThat(intent).hasToString("WriteIntent[books, k]");
	}

	@Test
	void anIntentCompletedAfterTheCacheWasClearedDeletesTheKeyOnEveryInstance() {
		TieredCache here = this.fixture.cache("books", CacheMode.BOTH);
		TieredCache there = this.fixture.cache("books", CacheMode.BOTH);
		WriteIntent intent = here.coordinatedWrites().intendWrite("k");
		here.clear();
		there.put("k", "written after the clear");

		intent.complete("announced before the clear", String.class);

		assertThat(here.get("k")).isNull();
		// the other instance drops its L1 copy once Redis reports the delete
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(there.get("k")).isNull());
	}

	@Test
	void anAbandonedIntentLeavesTheCachedValue() {
		TieredCache here = this.fixture.cache("books", CacheMode.BOTH);
		TieredCache there = this.fixture.cache("books", CacheMode.BOTH);
		here.put("k", "old");
		here.coordinatedWrites().intendWrite("k").abandon();
		assertThat(here.get("k", String.class)).isEqualTo("old");
		assertThat(there.get("k", String.class)).isEqualTo("old");
	}

	@Test
	void revokedLoadsStoreNothingAndWhatIsCachedStays() throws Exception {
		TieredCache here = this.fixture.cache("books", CacheMode.BOTH);
		TieredCache there = this.fixture.cache("books", CacheMode.BOTH);
		here.put("cached", "old");
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch revoked = new CountDownLatch(1);
		CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> there.get("k", String.class, () -> {
			loading.countDown();
			revoked.await();
			return "read before the write";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).as("the load started").isTrue();

		here.coordinatedWrites().revokeLoads("k");
		here.coordinatedWrites().revokeLoads("cached");
		revoked.countDown();

		assertThat(load.get(10, TimeUnit.SECONDS)).as("the loader's caller gets its value")
			.isEqualTo("read before the write");
		AtomicInteger loads = new AtomicInteger();
		assertThat(here.get("k", String.class, () -> "loaded again " + loads.incrementAndGet()))
			.isEqualTo("loaded again 1");
		assertThat(here.get("cached", String.class)).isEqualTo("old");
	}

	// the script never ran here, so Redis reports nothing: only unconfirmed takes the key out of L1
	@Test
	void aStagedWriteThatMayNotHaveBeenAppliedLeavesL1SoTheNextReadAsksRedis() {
		TieredCache here = this.fixture.cache("books", CacheMode.BOTH);
		here.put("k", "old");
		StagedWrite staged = here.coordinatedWrites().stage("k", "new", String.class);
		assertThat(here.localSize()).as("entries in L1 before").isOne();

		here.coordinatedWrites().unconfirmed(staged);

		assertThat(here.localSize()).as("entries in L1").isZero();
		assertThat(here.get("k", String.class)).as("read from Redis").isEqualTo("old");
	}

	// a second applied would put "first" back in L1 over "later", which Redis holds
	@Test
	void aStagedWriteIsSettledOnceAndASecondSettlementChangesNothing() {
		TieredCache here = this.fixture.cache("books", CacheMode.BOTH);
		StagedWrite staged = here.coordinatedWrites().stage("k", "first", String.class);
		here.coordinatedWrites().applied(staged);
		here.put("k", "later");
		String settledAgain = "Cache 'books' was told again how a staged write of key 'k' went; tell it once: "
				+ "applied or unconfirmed";

		assertThatIllegalStateException().isThrownBy(() -> here.coordinatedWrites().applied(staged))
			.withMessage(settledAgain);
		assertThatIllegalStateException().isThrownBy(() -> here.coordinatedWrites().unconfirmed(staged))
			.withMessage(settledAgain);

		assertThat(here.peekLocal("k", String.class, String.class, ABSENT)).as("in L1").isEqualTo("later");
	}

	@Test
	void aWriteStagedByAnotherCacheIsNeitherAppliedNorDeclaredUnconfirmed() {
		TieredCache books = this.fixture.cache("books", CacheMode.BOTH);
		books.put("k", "cached");
		StagedWrite ofAnotherInstance = this.fixture.cache("books", CacheMode.BOTH)
			.coordinatedWrites()
			.stage("k", "v", String.class);
		assertThatIllegalArgumentException().isThrownBy(() -> books.coordinatedWrites().applied(ofAnotherInstance))
			.withMessage("Cache 'books' can only apply a write it staged itself, not one of another cache");
		assertThatIllegalArgumentException().isThrownBy(() -> books.coordinatedWrites().unconfirmed(ofAnotherInstance))
			.withMessage("Cache 'books' can only apply a write it staged itself, not one of another cache");
		assertThat(books.get("k", String.class)).isEqualTo("cached");
	}

	@Test
	void aCacheWithoutRedisCannotStageAWrite() {
		TieredCache cache = this.fixture.cache("books", CacheMode.LOCAL);
		assertThatIllegalStateException().isThrownBy(() -> cache.coordinatedWrites().stage("k", "v", String.class))
			.withMessage("Cache 'books' does not use Redis (mode LOCAL), so it cannot stage a write");
	}

}
