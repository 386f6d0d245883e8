package dev.tiercache.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The sample service: a product catalogue on PostgreSQL (Spring Data JDBC, Flyway) cached with
 * Tiercache. Run it with {@code ./mvnw -pl sample-app -am spring-boot:run} and try
 * {@code curl localhost:8080/api/products/1} twice: the first call takes the simulated 20 ms query,
 * the second is served from L1. {@code curl localhost:8080/actuator/tiercache} shows the caches.
 *
 * <p>It uses the PostgreSQL at {@code spring.datasource.url} and the Redis at
 * {@code spring.data.redis.host}/{@code port} (default {@code localhost:6379}). Without a data source
 * URL it starts an embedded PostgreSQL; if no Redis answers, an embedded Redis: so it runs on a machine
 * with only Java.
 */
@SpringBootApplication
@EnableCaching
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addListeners(new EmbeddedRedisFallback(), new EmbeddedPostgresFallback());
		application.run(args);
	}

}
