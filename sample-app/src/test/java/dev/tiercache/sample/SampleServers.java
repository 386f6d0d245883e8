package dev.tiercache.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;
import dev.tiercache.testkit.TestRedisServer;

/**
 * Points a test's sample application at the test PostgreSQL (in a schema of its own, which Flyway
 * migrates) with a Redis key prefix of its own, and drops the schema afterwards. The Spring tests take
 * their Redis from the kit's {@code @AutoConfigureTestRedis}; an application run in a JVM of its own
 * is given the kit's server in its {@link #arguments()}.
 */
final class SampleServers {

	private final String schema = "sample_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	void register(DynamicPropertyRegistry registry) {
		properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	/** The properties that point the application at the servers, as command-line arguments. */
	List<String> arguments() {
		TestRedisServer redis = TestRedisServer.shared();
		Map<String, Object> all = new TreeMap<>(properties());
		all.put("spring.data.redis.host", redis.host());
		all.put("spring.data.redis.port", redis.port());
		return all.entrySet().stream().map((property) -> "--" + property.getKey() + "=" + property.getValue()).toList();
	}

	private Map<String, Object> properties() {
		String url = TestPostgres.jdbcUrl();
		return Map.of("tiercache.key-prefix", TestRedis.uniquePrefix(), "spring.datasource.url",
				url + (url.contains("?") ? "&" : "?") + "currentSchema=" + this.schema, "spring.flyway.schemas",
				this.schema);
	}

	void dropSchema() throws SQLException {
		try (Connection connection = DriverManager.getConnection(TestPostgres.jdbcUrl());
				Statement statement = connection.createStatement()) {
			statement.execute("drop schema if exists " + this.schema + " cascade");
		}
	}

}
