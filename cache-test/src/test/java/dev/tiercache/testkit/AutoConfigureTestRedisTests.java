package dev.tiercache.testkit;

import java.time.Duration;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.testkit.app.KitApplication;
import dev.tiercache.testkit.app.KitApplication.Catalogue;
import dev.tiercache.tier.TieredCacheManager;

import static dev.tiercache.testkit.TiercacheAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit in a Boot test: the application talks to the test Redis whatever its properties say, and
 * each test starts with cleared caches and stats counted from zero. The tests run in order: the second
 * finds nothing of what the first cached or counted.
 */
@SpringBootTest(classes = KitApplication.class, properties = { "spring.data.redis.host=redis.invalid",
		"spring.data.redis.port=1" })
@AutoConfigureTestRedis
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoConfigureTestRedisTests {

	@Autowired
	private Catalogue catalogue;

	@Autowired
	private TestCaches caches;

	@Autowired
	private RedisConnectionFactory connectionFactory;

	@Test
	@Order(1)
	void theApplicationUsesTheTestRedisRatherThanItsProperties(@Autowired DataRedisConnectionDetails details) {
		TestRedisServer server = TestRedisServer.shared();
		assertThat(details).isInstanceOf(TestRedisConnectionDetails.class);
		LettuceConnectionFactory lettuce = (LettuceConnectionFactory) this.connectionFactory;
		assertThat(lettuce.getHostName()).isEqualTo(server.host());
		assertThat(lettuce.getPort()).isEqualTo(server.port());
		try (var connection = this.connectionFactory.getConnection()) {
			assertThat(connection.ping()).isEqualTo("PONG");
		}
	}

	@Test
	@Order(1)
	void theContextHasAKeyPrefixOfItsOwn(@Autowired TieredCacheManager manager) {
		assertThat(manager.keyPrefix()).as("not the default 'tiercache', which other contexts would share")
			.startsWith("test-");
	}

	@Test
	@Order(2)
	void aTestCountsItsOwnLoadsAndHits() {
		this.catalogue.find(1);
		this.catalogue.find(1);
		this.catalogue.find(1);
		assertThat(this.caches.stats("products")).hasLoads(1).hasHits(2).hasLocalHits(2).hasRemoteHits(0);
	}

	@Test
	@Order(3)
	void theNextTestFindsTheCachesClearedAndItsCountsAtZero() {
		assertThat(this.caches.stats("products")).hasLoads(0).hasHits(0);
		int readsBefore = this.catalogue.reads();
		this.catalogue.find(1);
		assertThat(this.catalogue.reads()).as("loaded again: neither L1 nor Redis kept the earlier test's entry")
			.isEqualTo(readsBefore + 1);
		assertThat(this.caches.stats("products")).hasLoads(1).hasHits(0);
	}

	@Test
	@Order(4)
	void writeBehindIsAwaitedAndCounted() {
		for (long id = 1; id <= 3; id++) {
			this.catalogue.savePrice(id, 100 + id);
		}
		this.caches.awaitWriteBehind("prices", Duration.ofSeconds(10));
		assertThat(this.catalogue.prices()).containsEntry(1L, 101L).containsEntry(3L, 103L);
		assertThat(this.caches.writeBehind("prices")).hasEnqueued(3).hasApplied(3).hasDeadLettered(0).isDrained();
	}

	@Test
	@Order(5)
	void theNextTestCountsNoneOfTheEarlierWrites() {
		assertThat(this.caches.writeBehind("prices")).hasEnqueued(0).hasApplied(0).isDrained();
	}

}
