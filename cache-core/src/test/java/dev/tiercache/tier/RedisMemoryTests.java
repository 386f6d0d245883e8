package dev.tiercache.tier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TestManagers;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCacheManager.RedisMemory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, Redis memory: a manager reads Redis's memory, limit, evictions and policy from
 * {@code INFO}, adding up every primary on a cluster (this class also runs on one), and reads it again
 * at most every 5 s however often it is asked. A manager without Redis has none.
 */
class RedisMemoryTests {

	private final TestManagers managers = new TestManagers();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void theFiguresComeFromEveryPrimaryAndAreReadAtMostEveryFiveSeconds() {
		TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "books");
		RedisMemory memory = manager.redisMemory();
		assertThat(memory).isNotNull();
		assertThat(memory.usedBytes()).isPositive();
		assertThat(memory.maxBytes()).isNotNegative();
		assertThat(memory.evictedKeys()).isNotNegative();
		assertThat(memory.policy()).isNotBlank().isNotEqualTo("unknown");
		assertThat(memory.nodes()).isEqualTo(TestRedis.onCluster() ? 3 : 1);
		for (int i = 0; i < 100; i++) {
			manager.getTieredCache("books").put(i, "x".repeat(1000));
		}
		assertThat(manager.redisMemory()).as("read again only after 5 s").isSameAs(memory);
	}

	@Test
	void aManagerWithoutRedisHasNoFigures() {
		assertThat(this.managers.local("books").redisMemory()).isNull();
	}

}
