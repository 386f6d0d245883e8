package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partition under sustained load does not keep the flusher threads from the others: with one thread
 * and two partitions, a flush that applied a full batch while another partition's flush waits for the
 * thread gives the thread up and queues itself again behind it.
 */
class FlushFairnessTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(20);

	private static final int BATCH = 10;

	private final LedgerRows rows = new LedgerRows();

	private LedgerInstance instance;

	@AfterEach
	void close() {
		this.rows.release();
		if (this.instance != null) {
			this.instance.close();
		}
	}

	@Test
	void aBusyPartitionGivesItsThreadToAWaitingPartitionAfterEachFullBatch() {
		this.instance = new LedgerInstance(TestRedis.uniquePrefix(), TestRedis.connectionFactory(), this.rows,
				CacheSettings.DEFAULTS, oneThreadTwoPartitions(), UnaryOperator.identity());
		TieredCache ledger = this.instance.cache();
		List<Long> busy = LongStream.rangeClosed(1, 1000)
			.filter((id) -> partitionOf(ledger, id) == 0)
			.limit(100)
			.boxed()
			.toList();
		long quiet = LongStream.rangeClosed(1, 1000).filter((id) -> partitionOf(ledger, id) == 1).findFirst()
			.orElseThrow();
		this.rows.holdFlushes();
		busy.forEach((id) -> this.instance.ledger().save(new Ledger.Row(id, 1, "busy")));
		this.rows.awaitHeldFlush();
		this.instance.ledger().save(new Ledger.Row(quiet, 1, "quiet"));
		await("both partitions' flushes queued behind the held one").atMost(PROMPTLY)
			.until(() -> this.instance.queues().flushesWaiting(LedgerInstance.CACHE) == 2);

		this.rows.release();

		await("every write applied").atMost(PROMPTLY)
			.until(() -> this.rows.log().size() == busy.size() + 1);
		List<Long> order = this.rows.log().stream().map(LedgerRows.Applied::id).toList();
		assertThat(order.indexOf(quiet)).as("the quiet partition's write, among the busy one's %d", busy.size())
			.isLessThan(3 * BATCH);
	}

	private static int partitionOf(TieredCache ledger, long id) {
		return RedisKeys.partitionOf(ledger.redisName(id), 2);
	}

	private static WriteBehindSettings oneThreadTwoPartitions() {
		return new WriteBehindSettings(BATCH, Duration.ofMillis(20), 1, 2, 5, Duration.ofMillis(20),
				Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2), Durability.MEMORY, 1,
				Duration.ofSeconds(1));
	}

}
