package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.test.CommandStats;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisSentinelGroup;
import dev.tiercache.test.SingleServer;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tiercache.redis.read-from} under Redis Sentinel, configured with Spring Boot's
 * {@code spring.data.redis.sentinel.*} alone: every pattern works across two instances, and entries'
 * values are read from the replica the sentinels name. A primary, a replica and three sentinels of
 * their own.
 */
@SingleServer
class ReplicaReadsOnSentinelTests {

	private final RedisSentinelGroup group = RedisSentinelGroup.start();

	private final TestContexts contexts = new TestContexts();

	@AfterEach
	void close() {
		this.contexts.close();
		this.group.close();
	}

	@Test
	void everyPatternWorksAndTheReplicaServesEntries() throws Exception {
		Catalog catalog = new Catalog();
		ConfigurableApplicationContext first = start(catalog);
		CatalogApplication.exerciseEveryPattern(first, start(catalog));
		TieredCache written = cache(first);
		IntStream.range(0, 10).forEach((id) -> written.put(id, "v1-" + id));
		EmbeddedRedis replica = this.group.replica();
		await("the replica holds every entry").atMost(Duration.ofSeconds(10))
			.until(() -> this.group.onServer(replica, (redis) -> redis.keys(this.contexts.prefix + ":{readers:*"))
				.size() == 10);
		TieredCache reader = cache(start(catalog));
		// its start cleared L1 (changes may have been missed before), so for a while it reads the primary
		await("the reader reads from the replica").atMost(Duration.ofSeconds(10)).until(() -> {
			long before = gets(replica);
			reader.get("absent", String.class);
			return gets(replica) > before;
		});
		long before = gets(replica);

		IntStream.range(0, 10)
			.forEach((id) -> assertThat(reader.get(id, String.class)).as("key %d", id).isEqualTo("v1-" + id));

		assertThat(gets(replica) - before).as("GETs the replica served").isEqualTo(10);
	}

	private ConfigurableApplicationContext start(Catalog catalog) {
		List<String> properties = new ArrayList<>(List.of(this.group.springProperties()));
		properties.add("tiercache.redis.read-from=replica");
		properties.add("tiercache.cache-names=books,prices,readers");
		return this.contexts.start(CatalogApplication.class, CatalogApplication.shared(catalog),
				properties.toArray(String[]::new));
	}

	private static TieredCache cache(ConfigurableApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getTieredCache("readers");
	}

	private long gets(EmbeddedRedis server) {
		return CommandStats.calls(this.group.onServer(server, (redis) -> redis.info("commandstats")), "get");
	}

}
