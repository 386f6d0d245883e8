package dev.tiercache.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample runs from its AOT-processed output: {@code spring-boot:process-aot} runs before the tests
 * (bound to {@code process-classes} in the pom), and this test starts the application in a JVM of its own
 * with {@code -Dspring.aot.enabled=true} (on the test's own class path, which holds the processed classes
 * and the generated ones), on the test Redis and PostgreSQL, then reads a product twice
 * over HTTP (a load, then an L1 hit) and the Actuator endpoint; and the runtime hints it wrote for a
 * native image cover what Tiercache reads by reflection.
 */
class SampleAotTests {

	private static final Path AOT_INITIALIZER = Path.of("target", "classes", "dev", "tiercache", "sample",
			"SampleApplication__ApplicationContextInitializer.class");

	private static final Path REACHABILITY_METADATA = Path.of("target", "spring-aot", "main", "resources", "META-INF",
			"native-image", "dev.tiercache", "tiercache-sample-app", "reachability-metadata.json");

	private static final Path APPLICATION_CLASS = Path.of("target", "classes", "dev", "tiercache", "sample",
			"SampleApplication.class");

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private final SampleServers servers = new SampleServers();

	private final List<String> output = new CopyOnWriteArrayList<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private Process application;

	@AfterEach
	void stop() throws Exception {
		if (this.application != null) {
			this.application.descendants().forEach(ProcessHandle::destroyForcibly);
			this.application.destroy();
			if (!this.application.waitFor(30, TimeUnit.SECONDS)) {
				this.application.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		this.servers.dropSchema();
	}

	@Test
	void theApplicationStartsFromItsAotProcessedOutputAndCaches() throws Exception {
		assertThat(Files.exists(AOT_INITIALIZER))
			.as("the AOT-processed output: build with ./mvnw verify, which runs spring-boot:process-aot first")
			.isTrue();
		assertThat(Files.getLastModifiedTime(AOT_INITIALIZER))
			.as("the AOT-processed output is newer than the classes it was processed from")
			.isGreaterThanOrEqualTo(Files.getLastModifiedTime(APPLICATION_CLASS));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Dspring.aot.enabled=true", "-cp",
				System.getProperty("java.class.path"),
				SampleApplication.class.getName(), "--server.port=0", "--sample.read-latency=5ms",
				"--sample.embedded-redis=false", "--sample.embedded-postgres=false"));
		command.addAll(this.servers.arguments());
		this.application = new ProcessBuilder(command).redirectErrorStream(true).start();
		Thread reader = new Thread(this::readOutput, "sample-aot-output");
		reader.setDaemon(true);
		reader.start();

		int port = await("the application's port").atMost(Duration.ofSeconds(90))
			.until(this::port, Optional::isPresent)
			.orElseThrow();
		assertThat(this.output).as("started from the AOT-processed code")
			.anyMatch((line) -> line.contains("Starting AOT-processed SampleApplication"));

		HttpResponse<String> first = get(port, "/api/products/1");
		HttpResponse<String> second = get(port, "/api/products/1");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).contains("\"id\":1");
		assertThat(second.body()).isEqualTo(first.body());
		HttpResponse<String> products = get(port, "/actuator/tiercache/products");
		assertThat(products.statusCode()).isEqualTo(200);
		assertThat(products.body()).as("the first read loaded, the second hit L1")
			.contains("\"loads\":1")
			.contains("\"localHits\":1");
	}

	/**
	 * The runtime hints the processing wrote for a native image: the cached methods' value type (a
	 * record, whose class file the codec reads) from Tiercache's {@code CachedMethodsAotProcessor}, and the
	 * Actuator endpoint's operations and the records they return from Boot's endpoint processing.
	 */
	@Test
	void theNativeHintsCoverTheCachedValuesAndTheEndpoint() throws Exception {
		JsonNode metadata = JsonMapper.builder().build().readTree(REACHABILITY_METADATA.toFile());
		List<String> resources = new ArrayList<>();
		metadata.get("resources").forEach((resource) -> resources.add(resource.path("glob").asString()));
		assertThat(resources).contains("dev/tiercache/sample/Product.class");
		assertThat(methodsOf(metadata, "dev.tiercache.sample.CatalogueService")).contains("find", "views",
				"saveViews", "repriceAll");
		assertThat(methodsOf(metadata, "dev.tiercache.autoconfigure.actuate.TiercacheEndpoint")).contains("report",
				"cache", "clear", "evict", "deadLetters");
		assertThat(methodsOf(metadata, "dev.tiercache.autoconfigure.actuate.TiercacheEndpoint$CacheReport"))
			.contains("hitRate", "counts");
	}

	private static List<String> methodsOf(JsonNode metadata, String type) {
		List<String> methods = new ArrayList<>();
		metadata.get("reflection").forEach((hint) -> {
			if (hint.path("type").isString() && hint.path("type").asString().equals(type)) {
				hint.path("methods").forEach((method) -> methods.add(method.path("name").asString()));
			}
		});
		return methods;
	}

	private Optional<Integer> port() {
		assertThat(this.application.isAlive()).as("the application is running; its output:%n%s",
				String.join(System.lineSeparator(), this.output)).isTrue();
		return this.output.stream()
			.map(PORT::matcher)
			.filter(Matcher::find)
			.map((matcher) -> Integer.parseInt(matcher.group(1)))
			.findFirst();
	}

	private void readOutput() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.application.getInputStream(), StandardCharsets.UTF_8))) {
			lines.lines().forEach(this.output::add);
		}
		catch (IOException ex) {
			this.output.add("(output no longer readable: " + ex + ")");
		}
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
