package dev.tiercache.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.autoconfigure.actuate.TiercacheHealthIndicator;
import dev.tiercache.metrics.TiercacheMetrics;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindQueues;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, alert rules and dashboard: {@code docs/prometheus/tiercache-alerts.yml} parses as
 * Prometheus rule groups with an alert for each concern the README lists (Redis memory, hit rate,
 * breaker, write-behind lag, dead letters), {@code docs/grafana/tiercache-dashboard.json} parses as a
 * dashboard, and every Tiercache series both name is one that Micrometer's Prometheus registry
 * publishes for a running application with a write-behind cache. Health shows Redis's memory.
 */
class ObservabilityDocsTests {

	private static final Path RULES = Path.of("..", "docs", "prometheus", "tiercache-alerts.yml");

	private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "tiercache-dashboard.json");

	private static final Pattern SERIES = Pattern.compile("\\btiercache_[a-z0-9_]+");

	private final TestContexts contexts = new TestContexts();

	@AfterEach
	void close() {
		this.contexts.close();
	}

	@Test
	void theAlertRulesAndTheDashboardParseAndNameOnlyPublishedSeries() throws Exception {
		Set<String> published = publishedSeries();

		Map<String, Object> rules = new Yaml().load(Files.readString(RULES));
		List<String> alerts = new ArrayList<>();
		List<String> expressions = new ArrayList<>();
		for (Map<String, Object> group : list(rules.get("groups"))) {
			for (Map<String, Object> rule : list(group.get("rules"))) {
				assertThat(rule.containsKey("record") || rule.containsKey("alert"))
					.as("rule %s records or alerts", rule)
					.isTrue();
				assertThat(rule.get("expr")).as("rule %s", rule).isInstanceOf(String.class);
				expressions.add((String) rule.get("expr"));
				if (rule.containsKey("alert")) {
					alerts.add((String) rule.get("alert"));
					assertThat(rule).containsKeys("labels", "annotations");
				}
			}
		}
		assertThat(alerts).contains("TiercacheRedisMemoryHigh", "TiercacheHitRateFalling", "TiercacheBreakerOpen",
				"TiercacheWriteBehindLagging", "TiercacheWriteBehindDeadLetters");

		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		assertThat(dashboard.path("title").asString()).isEqualTo("Tiercache");
		assertThat(dashboard.path("panels").size()).isPositive();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				expressions.add(target.path("expr").asString());
			}
		}

		Set<String> named = new TreeSet<>();
		for (String expression : expressions) {
			Matcher series = SERIES.matcher(expression);
			while (series.find()) {
				named.add(series.group());
			}
		}
		assertThat(named).as("series the rules and dashboard name").hasSizeGreaterThan(10);
		assertThat(published).as("series a running application publishes").containsAll(named);
	}

	/** Every Tiercache sample name in a Prometheus scrape of an application with a write-behind cache. */
	private Set<String> publishedSeries() throws Exception {
		Catalog catalog = new Catalog();
		ConfigurableApplicationContext context = this.contexts.start(CatalogApplication.class,
				CatalogApplication.shared(catalog), "tiercache.cache-names=books,prices");
		CatalogApplication.Service service = context.getBean(CatalogApplication.Service.class);
		service.title(1);
		service.setPrice(1, "9.99");
		TieredCacheManager manager = context.getBean(TieredCacheManager.class);
		WriteBehindQueues queues = context.getBean(WriteBehindQueues.class);
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		new TiercacheMetrics(manager, queues).bindTo(registry);

		Object memory = new TiercacheHealthIndicator(manager, queues).health().getDetails().get("redisMemory");
		assertThat(memory).as("health's Redis memory").isInstanceOfSatisfying(Map.class,
				(details) -> assertThat(details).containsKeys("usedBytes", "maxBytes", "evictedKeys", "policy"));

		return registry.scrape().lines()
			.filter((line) -> line.startsWith("tiercache_"))
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toCollection(TreeSet::new));
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<Map<String, Object>>) value;
	}

}
