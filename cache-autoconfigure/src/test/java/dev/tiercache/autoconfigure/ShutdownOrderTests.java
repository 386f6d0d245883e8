package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the application closes, Tiercache closes what it holds on Redis (its tracking connection, its
 * subscription) before the Redis connection factory stops: a connection Tiercache reopened, or a
 * cluster node it reached for, while Lettuce's client shut down could keep that shutdown waiting for
 * ever (seen after a cluster failover under load: the context close hung in
 * {@code AbstractRedisClient.shutdown}). Redis's own {@code CLIENT LIST} is read in the phase just
 * before the factory's; the application's connections carry a client name of the test's own.
 */
@SingleServer
class ShutdownOrderTests {

	private final TestContexts contexts = new TestContexts();

	private final String clientName = "shutdown-" + UUID.randomUUID().toString().substring(0, 8);

	private final RedisClient client = RedisClient.create(RedisURI.create(TestRedis.uri()));

	private final StatefulRedisConnection<String, String> admin = this.client.connect();

	@AfterEach
	void close() {
		this.contexts.close();
		this.admin.close();
		this.client.shutdown();
	}

	@Test
	void tiercacheHasClosedItsRedisConnectionsWhenTheConnectionFactoryStops() {
		AtomicReference<List<String>> atFactoryStop = new AtomicReference<>();
		Map<String, Object> shared = new HashMap<>(CatalogApplication.shared(new Catalog()));
		shared.put("factoryStopWatch",
				new JustBeforeTheFactoryStops(() -> atFactoryStop.set(awaitNoTiercacheConnection())));
		ConfigurableApplicationContext context = this.contexts.start(CatalogApplication.class, shared,
				"spring.data.redis.client-name=" + this.clientName, "tiercache.cache-names=books,prices");
		assertThat(tiercacheConnections()).as("Tiercache's connections while the application runs").isNotEmpty();

		context.close();
		assertThat(atFactoryStop.get()).as("Tiercache's connections open when the connection factory stops")
			.isEmpty();
	}

	/**
	 * Tiercache's connections once Redis saw them closed (it may read a close after a command sent on
	 * another connection), or those still open after 2 s.
	 */
	private List<String> awaitNoTiercacheConnection() {
		try {
			await().atMost(Duration.ofSeconds(2)).until(() -> tiercacheConnections().isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			// reported by the test's assertion
		}
		return tiercacheConnections();
	}

	/** The application's connections that are Tiercache's: those with client tracking or a subscription. */
	private List<String> tiercacheConnections() {
		return Arrays.stream(this.admin.sync().clientList().split("\n"))
			.filter((line) -> line.contains(" name=" + this.clientName + " "))
			.filter((line) -> field(line, "flags").contains("t") || !field(line, "sub").equals("0"))
			.toList();
	}

	private static String field(String clientLine, String name) {
		return Arrays.stream(clientLine.split(" "))
			.filter((field) -> field.startsWith(name + "="))
			.map((field) -> field.substring(name.length() + 1))
			.findFirst()
			.orElse("");
	}

	/** Runs an action when it stops, in the phase just before the Redis connection factory's (0). */
	private static final class JustBeforeTheFactoryStops implements SmartLifecycle {

		private final Runnable action;

		private volatile boolean running;

		JustBeforeTheFactoryStops(Runnable action) {
			this.action = action;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.action.run();
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return 1;
		}

	}

}
