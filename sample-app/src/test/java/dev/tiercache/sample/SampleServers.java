package dev.tiercache.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.tiercache.test.TestPostgres;
import dev.tiercache.test.TestRedis;

/**
 * Points a test's sample application at the test Redis (with a key prefix of its own) and the test
 * PostgreSQL (in a schema of its own, which Flyway migrates), and drops the schema afterwards.
 */
final class SampleServers {

	private final String schema = "sample_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	void register(DynamicPropertyRegistry registry) {
		properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	/** The properties that point the application at the servers, as command-line arguments. */
	List<String> arguments() {
		return properties().entrySet().stream().map((property) -> "--" + property.getKey() + "=" + property.getValue())
			.toList();
	}

	private Map<String, Object> properties() {
		String url = TestPostgres.jdbcUrl();
		return Map.of("spring.data.redis.host", TestRedis.host(), "spring.data.redis.port", TestRedis.port(),
				"tiercache.key-prefix", TestRedis.uniquePrefix(), "spring.datasource.url",
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
