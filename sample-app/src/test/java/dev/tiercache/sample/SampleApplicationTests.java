package dev.tiercache.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tiercache.testkit.AutoConfigureTestRedis;
import dev.tiercache.testkit.TestCaches;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static dev.tiercache.testkit.TiercacheAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's REST API end to end, over real HTTP, on a real PostgreSQL (a schema of its own,
 * migrated by Flyway) and a real Redis (the test kit's, which also gives each test cleared caches and
 * stats counted from its start).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "sample.read-latency=5ms",
		"sample.users.admin-password=" + SampleApplicationTests.ADMIN_PASSWORD,
		"sample.users.viewer-password=" + SampleApplicationTests.VIEWER_PASSWORD })
@AutoConfigureTestRedis
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	static final String ADMIN_PASSWORD = "admin-secret";

	static final String VIEWER_PASSWORD = "viewer-secret";

	private static final SampleServers servers = new SampleServers();

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		servers.register(registry);
	}

	@AfterAll
	static void dropSchema() throws Exception {
		servers.dropSchema();
	}

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private TieredCacheManager caches;

	@Autowired
	private TestCaches testCaches;

	@Autowired
	private JdbcTemplate jdbc;

	private HttpResponse<String> send(String method, String path, String body) throws Exception {
		return sendAs(null, null, method, path, body);
	}

	/** Sends a request with HTTP Basic credentials, or none when {@code user} is {@code null}. */
	private HttpResponse<String> sendAs(@Nullable String user, @Nullable String password, String method, String path,
			String body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body));
		if (user != null) {
			request.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private JsonNode call(String method, String path, String body) throws Exception {
		HttpResponse<String> response = send(method, path, body);
		assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	@Test
	void aProductIsReadFromTheDatabaseOnceThenFromTheCache() throws Exception {
		JsonNode first = call("GET", "/api/products/7", "");
		assertThat(first.path("sku").asString()).isEqualTo("SKU-00007");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.caches.getTieredCache("products").localSize() > 0);
		assertThat(call("GET", "/api/products/7", "")).isEqualTo(first);
		assertThat(this.testCaches.stats("products")).hasLoads(1).hasLocalHits(1);
	}

	@Test
	void anUnknownProductIsNotFoundAndThatIsCachedToo() throws Exception {
		assertThat(send("GET", "/api/products/9999", "").statusCode()).isEqualTo(404);
		assertThat(send("GET", "/api/products/9999", "").statusCode()).isEqualTo(404);
		assertThat(this.testCaches.stats("products")).hasLoads(1).hasHits(1);
	}

	@Test
	void aPriceChangeIsWrittenThroughToTheCache() throws Exception {
		call("GET", "/api/products/11", "");
		JsonNode changed = call("PUT", "/api/products/11/price", "{\"priceCents\": 4242}");
		assertThat(changed.path("priceCents").asLong()).isEqualTo(4242);
		assertThat(call("GET", "/api/products/11", "").path("priceCents").asLong()).isEqualTo(4242);
		assertThat(this.testCaches.stats("products")).as("the second read served from the cache").hasLoads(1);
		assertThat(this.jdbc.queryForObject("select price_cents from product where id = 11", Long.class)).isEqualTo(4242);
	}

	@Test
	void viewsAreCountedAtOnceAndWrittenBehindToTheDatabase() throws Exception {
		for (int i = 1; i <= 3; i++) {
			assertThat(call("POST", "/api/products/12/views", "").path("views").asLong()).isEqualTo(i);
		}
		this.testCaches.awaitWriteBehind("views", Duration.ofSeconds(10));
		assertThat(this.jdbc.queryForObject("select views from product_views where product_id = 12", Long.class))
			.isEqualTo(3);
		assertThat(this.testCaches.writeBehind("views")).hasEnqueued(3).hasApplied(3).isDrained();
	}

	@Test
	void anImportWritesAroundTheCacheWhichDropsTheKey() throws Exception {
		call("GET", "/api/products/13", "");
		call("POST", "/api/products/import", """
				[{"id": 13, "sku": "SKU-00013", "name": "Imported bike", "category": "bikes", "priceCents": 999, "stock": 5}]
				""");
		assertThat(call("GET", "/api/products/13", "").path("name").asString()).isEqualTo("Imported bike");
	}

	@Test
	void aRepricingOfEverythingInvalidatesTheWholeCache() throws Exception {
		long before = call("GET", "/api/products/14", "").path("priceCents").asLong();
		call("POST", "/api/prices/reprice", "{\"percent\": 10}");
		assertThat(call("GET", "/api/products/14", "").path("priceCents").asLong()).isEqualTo(before * 110 / 100);
	}

	@Test
	void categoriesAreCachedByPlainCacheable() throws Exception {
		JsonNode first = call("GET", "/api/categories", "");
		assertThat(first.valueStream().map(JsonNode::asString).toList()).containsExactly("bikes", "clothing", "parts",
				"tools");
		TieredCache categories = this.caches.getTieredCache("categories");
		await().atMost(Duration.ofSeconds(5)).until(() -> categories.localSize() == 1);
		assertThat(call("GET", "/api/categories", "")).isEqualTo(first);
		assertThat(this.testCaches.stats("categories")).as("Spring's @Cacheable read it from L1").hasLoads(1)
			.hasLocalHits(1);
	}

	@Test
	void theActuatorShowsTheCachesAndTheirHealth() throws Exception {
		call("GET", "/api/products/15", "");
		JsonNode report = call("GET", "/actuator/tiercache", "");
		assertThat(report.path("caches").has("products")).isTrue();
		assertThat(report.path("caches").path("products").path("settings").path("refreshAhead").asDouble())
			.isEqualTo(0.8);
		assertThat(call("GET", "/actuator/health/tiercache", "").path("status").asString()).isEqualTo("UP");
	}

	/**
	 * Issue 18, audit: anyone reads the Actuator, but only an admin clears a cache, evicts a key or
	 * drops dead letters (Spring Security, HTTP Basic); keys are shown to admins only; each write is
	 * logged with who made it.
	 */
	@Test
	void onlyAnAdminClearsCachesOrSeesKeysAndEachClearIsLoggedWithTheAdminsName(CapturedOutput output)
			throws Exception {
		call("GET", "/api/products/16", "");
		assertThat(send("DELETE", "/actuator/tiercache/products", "").statusCode()).as("anonymous").isEqualTo(401);
		assertThat(sendAs("viewer", VIEWER_PASSWORD, "DELETE", "/actuator/tiercache/products", "").statusCode())
			.as("authenticated, without the ADMIN role").isEqualTo(403);
		assertThat(sendAs("admin", "wrong", "DELETE", "/actuator/tiercache/products", "").statusCode())
			.as("a wrong password").isEqualTo(401);
		assertThat(send("POST", "/actuator/tiercache/views", "{\"deadLetters\": \"drop\"}").statusCode())
			.as("dropping dead letters, anonymous").isEqualTo(401);
		assertThat(call("GET", "/actuator/tiercache/products", "").path("hotKeys").isArray()).as("keys shown")
			.isFalse();
		assertThat(send("HEAD", "/actuator/health", "").statusCode()).as("a load balancer's probe").isEqualTo(200);
		assertThat(send("GET", "/actuator", "").statusCode()).as("the endpoint list, anonymous").isEqualTo(401);

		HttpResponse<String> adminView = sendAs("admin", ADMIN_PASSWORD, "GET", "/actuator/tiercache/products", "");
		assertThat(this.json.readTree(adminView.body()).path("hotKeys").isArray()).as("keys shown to an admin")
			.isTrue();
		long loads = this.testCaches.stats("products").loads();
		assertThat(sendAs("admin", ADMIN_PASSWORD, "DELETE", "/actuator/tiercache/products", "").statusCode())
			.isEqualTo(200);
		call("GET", "/api/products/16", "");
		assertThat(this.testCaches.stats("products").loads() - loads).as("cleared, so loaded again").isEqualTo(1);
		assertThat(output).contains("Tiercache Actuator: admin cleared cache 'products'");
	}

}
