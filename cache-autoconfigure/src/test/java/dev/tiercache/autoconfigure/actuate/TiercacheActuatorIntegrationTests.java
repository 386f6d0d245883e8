package dev.tiercache.autoconfigure.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
/**
 * Issue 10, Actuator: {@code /actuator/tiercache} and the {@code tiercache} health contributor, read
 * with a real HTTP client from a real web server on a real Redis (through a TCP proxy that can
 * black-hole it).
 */
@ExtendWith(OutputCaptureExtension.class)
class TiercacheActuatorIntegrationTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private final String prefix = TestRedis.uniquePrefix();

	private ConfigurableApplicationContext context;

	private final List<AuditApplicationEvent> audited = new CopyOnWriteArrayList<>();

	private TcpProxy proxy;

	@AfterEach
	void close() throws IOException {
		if (this.context != null) {
			this.context.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	/** Starts the application on the shared Redis, through a proxy that can black-hole it. */
	private String start(String... properties) throws IOException {
		this.proxy = TcpProxy.to(TestRedis.port());
		return startOn(this.proxy.port(), properties);
	}

	private String startOn(int redisPort, String... properties) {
		this.context = new SpringApplicationBuilder(BookApplication.class).web(WebApplicationType.SERVLET)
			.properties("server.port=0", "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redisPort,
					"tiercache.key-prefix=" + this.prefix, "tiercache.cache-names=books",
					"management.endpoints.web.exposure.include=tiercache,health",
					"management.endpoint.health.show-details=always", "spring.main.banner-mode=off")
			.properties(properties)
			.listeners((ApplicationListener<AuditApplicationEvent>) this.audited::add)
			.run();
		return "http://127.0.0.1:" + ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	private HttpResponse<String> send(String method, String url, String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/** The cache {@code books}, once the start-up L1 clear that could empty what a test fills is done. */
	private TieredCache books() {
		TieredCacheManager manager = this.context.getBean(TieredCacheManager.class);
		TestRedis.awaitStartupResynchronization(manager);
		return manager.getTieredCache("books");
	}

	private JsonNode get(String url) throws Exception {
		HttpResponse<String> response = send("GET", url, "");
		assertThat(response.statusCode()).as(url).isIn(200, 503);
		return this.json.readTree(response.body());
	}

	@Test
	void theEndpointReportsEachCacheAndItsHotKeysAndEvictsAndClears(CapturedOutput output) throws Exception {
		String base = start("management.endpoint.tiercache.access=unrestricted",
				"management.endpoint.tiercache.show-keys=always");
		BookService books = this.context.getBean(BookService.class);
		TieredCache cache = books();
		// on Redis < 7.2 a loaded entry may reach L1 one background check after the load returns
		books.find(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> cache.localSize() == 1);
		for (int i = 0; i < 4; i++) {
			books.find(1);
		}
		books.find(2);
		await().atMost(Duration.ofSeconds(5)).until(() -> cache.localSize() == 2);

		JsonNode all = get(base + "/actuator/tiercache");
		assertThat(all.path("breaker").asString()).isEqualTo("CLOSED");
		assertThat(all.path("invalidationMode").asString()).isEqualTo("TRACKING");
		JsonNode report = all.path("caches").path("books");
		assertThat(report.path("mode").asString()).isEqualTo("both");
		assertThat(report.path("counts").path("loads").asLong()).isEqualTo(2);
		assertThat(report.path("counts").path("localHits").asLong()).isEqualTo(4);
		assertThat(report.path("hitRate").path("local").asDouble()).isEqualTo(4.0 / 6);
		assertThat(report.path("settings").path("ttl").asString()).isEqualTo("PT10M");
		assertThat(report.path("localSize").asLong()).isEqualTo(2);

		JsonNode one = get(base + "/actuator/tiercache/books");
		List<String> hot = one.path("hotKeys").valueStream().map(JsonNode::asString).toList();
		assertThat(hot).contains("#l:1", "#l:2");
		assertThat(send("GET", base + "/actuator/tiercache/nope", "").statusCode()).isEqualTo(404);

		HttpResponse<String> evicted = send("DELETE", base + "/actuator/tiercache/books/%23l:1", "");
		assertThat(this.json.readTree(evicted.body()).path("evicted").asBoolean()).isTrue();
		books.find(1);
		assertThat(loads(base)).as("evicted, so loaded again").isEqualTo(3);

		assertThat(send("DELETE", base + "/actuator/tiercache/books", "").statusCode()).isEqualTo(200);
		books.find(2);
		assertThat(loads(base)).as("cleared, so loaded again").isEqualTo(4);

		assertThat(this.audited).extracting((event) -> event.getAuditEvent().getType())
			.containsExactly(TiercacheEndpoint.EVICT, TiercacheEndpoint.CLEAR);
		assertThat(this.audited).allSatisfy((event) -> assertThat(event.getAuditEvent().getPrincipal())
			.as("no one authenticated").isEqualTo("anonymous"));
		assertThat(this.audited.get(0).getAuditEvent().getData()).containsEntry("cache", "books")
			.containsEntry("key", "#l:1");
		assertThat(output).contains("INFO")
			.contains("Tiercache Actuator: anonymous evicted key '#l:1' of cache 'books'")
			.contains("Tiercache Actuator: anonymous cleared cache 'books'");
	}

	/**
	 * Issue 16 item 17: exposing the endpoint (for a dashboard) gives read access only, without keys:
	 * clearing, evicting and dropping dead letters need 'management.endpoint.tiercache.access', keys
	 * 'management.endpoint.tiercache.show-keys'.
	 */
	@Test
	void theEndpointIsReadOnlyAndShowsNoKeysUnlessOptedIn() throws Exception {
		String base = start();
		BookService books = this.context.getBean(BookService.class);
		TieredCache cache = books();
		books.find(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> cache.localSize() == 1);
		JsonNode one = get(base + "/actuator/tiercache/books");
		assertThat(one.path("counts").path("loads").asLong()).isEqualTo(1);
		assertThat(one.path("hotKeys").isArray()).as("hot keys shown").isFalse();
		assertThat(send("DELETE", base + "/actuator/tiercache/books", "").statusCode()).as("clear").isEqualTo(405);
		assertThat(send("DELETE", base + "/actuator/tiercache/books/%23l:1", "").statusCode()).as("evict")
			.isEqualTo(404);
		assertThat(send("POST", base + "/actuator/tiercache/books", "{\"deadLetters\": \"drop\"}").statusCode())
			.as("drop dead letters")
			.isEqualTo(405);
		assertThat(cache.localSize()).as("neither cleared nor evicted").isEqualTo(1);
	}

	private long loads(String base) throws Exception {
		return get(base + "/actuator/tiercache/books").path("counts").path("loads").asLong();
	}

	/**
	 * Issue 16 item 18: while the breaker keeps calls from a black-holed Redis, callers are served, so
	 * health stays UP (HTTP 200, for load balancers) with the breaker's state in its details, and
	 * answers at once.
	 */
	@Test
	void healthStaysUpWhileTheBreakerIsOpenAndAnswersAtOnceWhileRedisIsBlackHoled() throws Exception {
		String base = start("tiercache.redis.breaker.minimum-number-of-calls=2",
				"tiercache.redis.breaker.sliding-window-size=2");
		JsonNode up = get(base + "/actuator/health/tiercache");
		assertThat(up.path("status").asString()).isEqualTo("UP");
		assertThat(up.path("details").path("breaker").asString()).isEqualTo("CLOSED");

		this.proxy.blackHole();
		BookService books = this.context.getBean(BookService.class);
		RedisCircuitBreaker breaker = this.context.getBean(TieredCacheManager.class).redisCircuitBreaker();
		AtomicInteger key = new AtomicInteger(100);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			books.find(key.incrementAndGet());
			return !breaker.admits();
		});
		long started = System.nanoTime();
		HttpResponse<String> degraded = send("GET", base + "/actuator/health/tiercache", "");
		long tookMillis = (System.nanoTime() - started) / 1_000_000;
		assertThat(degraded.statusCode()).isEqualTo(200);
		JsonNode body = this.json.readTree(degraded.body());
		assertThat(body.path("status").asString()).isEqualTo("UP");
		assertThat(body.path("details").path("breaker").asString()).isIn("OPEN", "HALF_OPEN");
		assertThat(body.path("details").path("reason").asString()).contains("serve from L1");
		assertThat(tookMillis).as("a health request while Redis is black-holed").isLessThan(1000);
		JsonNode report = get(base + "/actuator/tiercache");
		assertThat(report.path("breaker").asString()).isIn("OPEN", "HALF_OPEN");

		this.proxy.restore();
		await().atMost(Duration.ofSeconds(10)).until(
				() -> "CLOSED".equals(get(base + "/actuator/health/tiercache").path("details").path("breaker").asString()));
	}

	/**
	 * Issue 16 item 18: health reads the write-behind backlog from the lag sampled at most once a
	 * second, not with a Redis call per partition on every request. On a Redis of its own, whose
	 * command counts only this application moves.
	 */
	@Test
	void healthReadsTheWriteBehindBacklogAtMostOnceASecond() throws Exception {
		try (EmbeddedRedis redis = EmbeddedRedis.start()) {
			String health = startOn(redis.port()) + "/actuator/health/tiercache";
			long before = commandCalls(redis, "xlen");
			assertThat(get(health).path("details").path("writeBehindBacklog").path("books").isNumber()).isTrue();
			long oneReading = commandCalls(redis, "xlen") - before;
			assertThat(oneReading).as("XLEN calls of one reading").isPositive();
			long started = System.nanoTime();
			for (int i = 0; i < 30; i++) {
				assertThat(get(health).path("details").path("writeBehindBacklog").path("books").isNumber()).isTrue();
			}
			long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
			assertThat(commandCalls(redis, "xlen") - before).as("XLEN calls of 31 health requests in " + seconds + " s")
				.isLessThanOrEqualTo(oneReading * (seconds + 2));
			this.context.close();
		}
	}

	private static long commandCalls(EmbeddedRedis redis, String command) {
		LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", redis.port());
		try (RedisConnection connection = factory.getConnection()) {
			Properties stats = connection.serverCommands().info("commandstats");
			String line = (stats != null) ? stats.getProperty("cmdstat_" + command) : null;
			if (line == null) {
				return 0;
			}
			int start = line.indexOf("calls=") + "calls=".length();
			return Long.parseLong(line.substring(start, line.indexOf(',', start)));
		}
		finally {
			factory.destroy();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BookApplication {

		@Bean
		BookService bookService() {
			return new BookService();
		}

	}

	static class BookService {

		@CacheAside(cache = "books")
		public Map<String, Object> find(long id) {
			return Map.of("id", id, "title", "Book " + id);
		}

		@WriteBehind(cache = "books", key = "#id", value = "#book")
		public void save(long id, Map<String, Object> book) {
		}

	}

}
