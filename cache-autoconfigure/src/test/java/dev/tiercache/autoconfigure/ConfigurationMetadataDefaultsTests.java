package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import dev.tiercache.autoconfigure.TiercacheProperties.Breaker;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults that the configuration metadata shows (IDEs offer them) are the ones core applies:
 * core states each default once ({@link CacheSettings#DEFAULTS}, {@link WriteBehindSettings#DEFAULTS},
 * the breaker's and the manager's defaults), and setting every property to the default the metadata
 * shows must change nothing.
 */
class ConfigurationMetadataDefaultsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesOnly.class);

	@Test
	void everyPerCacheSettingShowsItsDefaultButTheDerivedFailSafeAndTheGuardsSize() throws IOException {
		Map<String, JsonNode> properties = tiercacheProperties();
		List<String> withoutDefault = new ArrayList<>();
		properties.forEach((name, property) -> {
			if (name.startsWith("tiercache.defaults.") && !property.has("defaultValue")) {
				withoutDefault.add(name);
			}
		});
		assertThat(withoutDefault).as("the derived fail-safe, and what turns a guard on (per cache only)")
			.containsExactly("tiercache.defaults.fail-safe", "tiercache.defaults.guard.expected-keys");
		assertThat(properties.get("tiercache.redis.timeout").has("defaultValue")).isTrue();
		assertThat(properties.get("tiercache.redis.breaker.sliding-window-size").has("defaultValue")).isTrue();
	}

	@Test
	void settingEveryPropertyToItsShownDefaultIsTheSameAsSettingNothing() throws IOException {
		List<String> shownDefaults = new ArrayList<>();
		tiercacheProperties().forEach((name, property) -> {
			if (property.has("defaultValue")) {
				shownDefaults.add(name + "=" + property.get("defaultValue").asString());
			}
		});
		assertThat(shownDefaults).hasSizeGreaterThan(30);
		this.runner.withPropertyValues(shownDefaults.toArray(String[]::new)).run((context) -> {
			TiercacheProperties shown = context.getBean(TiercacheProperties.class);
			TiercacheProperties none = new TiercacheProperties();
			assertThat(CacheSettingsBinder.defaults(shown)).isEqualTo(CacheSettings.DEFAULTS);
			assertThat(CacheSettingsBinder.writeBehindDefaults(shown)).isEqualTo(WriteBehindSettings.DEFAULTS);
			assertThat(shown.getRedis().getTimeout()).isEqualTo(TieredCacheManager.DEFAULT_REDIS_TIMEOUT)
				.isEqualTo(none.getRedis().getTimeout());
			assertThat(shown.getMaxValueSize().toBytes()).isEqualTo(TieredCacheManager.DEFAULT_MAX_VALUE_BYTES)
				.isEqualTo(none.getMaxValueSize().toBytes());
			assertThat(shown.getRedis().getMaxReconnectDelay()).isEqualTo(none.getRedis().getMaxReconnectDelay());
			assertThat(shown.isEnabled()).isEqualTo(none.isEnabled());
			assertThat(shown.isDynamic()).isEqualTo(none.isDynamic());
			assertThat(shown.getRedis().getBreaker()).as("initialised from the breaker's own defaults")
				.usingRecursiveComparison()
				.isEqualTo(new Breaker());
		});
	}

	/** The {@code tiercache.*} properties of the metadata the configuration processor wrote. */
	private static Map<String, JsonNode> tiercacheProperties() throws IOException {
		Map<String, JsonNode> properties = new LinkedHashMap<>();
		Enumeration<URL> files = ConfigurationMetadataDefaultsTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json");
		while (files.hasMoreElements()) {
			try (InputStream metadata = files.nextElement().openStream()) {
				for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
					String name = property.get("name").asString();
					if (name.startsWith("tiercache.")) {
						properties.put(name, property);
					}
				}
			}
		}
		assertThat(properties).as("Tiercache's configuration metadata").isNotEmpty();
		return properties;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(TiercacheProperties.class)
	static class PropertiesOnly {

	}

}
