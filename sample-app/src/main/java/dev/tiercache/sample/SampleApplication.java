package dev.tiercache.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample service. Run it with {@code ./mvnw -pl sample-app -am spring-boot:run} and try
 * {@code curl localhost:8080/books/1} twice: the first call takes the catalogue's 200 ms, the second
 * is served from the cache. {@code curl localhost:8080/caches/books} shows the counters.
 *
 * <p>It uses the Redis at {@code spring.data.redis.host}/{@code port} (default
 * {@code localhost:6379}); if none answers there, it starts a real Redis server from the
 * embedded-redis jar on a free port, so that it runs on a machine with only Java.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addListeners(new EmbeddedRedisFallback());
		application.run(args);
	}

}
