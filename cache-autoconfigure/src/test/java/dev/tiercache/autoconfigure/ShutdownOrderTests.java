package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestPostgres;
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

	private final String table = "shutdown_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	@AfterEach
	void close() {
		this.contexts.close();
		this.admin.close();
		this.client.shutdown();
		PriceService.dropTables(this.jdbc, this.table);
	}

	@Test
	void tiercacheHasClosedItsRedisConnectionsWhenTheConnectionFactoryStops() {
		AtomicReference<List<String>> atFactoryStop = new AtomicReference<>();
		Map<String, Object> shared = new HashMap<>(CatalogApplication.shared(new Catalog()));
		shared.put("factoryStopWatch",
				new JustBeforeTheFactoryStops(() -> atFactoryStop.set(awaitNone(this::tiercacheConnections))));
		ConfigurableApplicationContext context = this.contexts.start(CatalogApplication.class, shared,
				"spring.data.redis.client-name=" + this.clientName, "tiercache.cache-names=books,prices");
		assertThat(tiercacheConnections()).as("Tiercache's connections while the application runs").isNotEmpty();

		context.close();
		assertThat(atFactoryStop.get()).as("Tiercache's connections open when the connection factory stops")
			.isEmpty();
	}

	/**
	 * The connections of durable write-behind calls ({@code durability=replica}: each call's {@code WAIT})
	 * are closed with the queues when the application closes, before the connection factory stops: Lettuce
	 * waited for ever in its shutdown for such a connection when it held a write for a primary that had
	 * been killed.
	 */
	@Test
	void theDurableWriteBehindConnectionsAreClosedWhenTheConnectionFactoryStops() {
		PriceService.createTables(this.jdbc, this.table);
		AtomicReference<List<String>> atFactoryStop = new AtomicReference<>();
		ConfigurableApplicationContext context = this.contexts.start(WriteBehindApplication.class,
				Map.of("probe", new WriterProbe(), "table", this.table, "factoryStopWatch",
						new JustBeforeTheFactoryStops(() -> atFactoryStop.set(awaitNone(this::durableConnections)))),
				"spring.datasource.url=" + TestPostgres.jdbcUrl(), "spring.data.redis.client-name=" + this.clientName,
				"tiercache.defaults.write-behind.durability=replica",
				"tiercache.defaults.write-behind.durability-timeout=1s");
		context.getBean(PriceService.class).save(new Price(1, 1, "durable"));
		assertThat(durableConnections()).as("the durable calls' connection while the application runs").isNotEmpty();

		context.close();
		assertThat(atFactoryStop.get()).as("durable calls' connections open when the connection factory stops")
			.isEmpty();
	}

	/**
	 * The connections {@code connections} lists once Redis saw them closed (it may read a close after a
	 * command sent on another connection), or those still open after 2 s.
	 */
	private static List<String> awaitNone(Supplier<List<String>> connections) {
		try {
			await().atMost(Duration.ofSeconds(2)).until(() -> connections.get().isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			// reported by the test's assertion
		}
		return connections.get();
	}

	/** The application's connections whose last command was a {@code WAIT}: the durable calls'. */
	private List<String> durableConnections() {
		return applicationConnections().filter((line) -> field(line, "cmd").equals("wait")).toList();
	}

	/** The application's connections that are Tiercache's: those with client tracking or a subscription. */
	private List<String> tiercacheConnections() {
		return applicationConnections()
			.filter((line) -> field(line, "flags").contains("t") || !field(line, "sub").equals("0"))
			.toList();
	}

	private Stream<String> applicationConnections() {
		return Arrays.stream(this.admin.sync().clientList().split("\n"))
			.filter((line) -> line.contains(" name=" + this.clientName + " "));
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
