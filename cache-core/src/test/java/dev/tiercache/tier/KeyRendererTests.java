package dev.tiercache.tier;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class KeyRendererTests {

	private final KeyRenderer renderer = new KeyRenderer();

	record Query(String title, int page) {
	}

	enum Color {

		RED

	}

	@Test
	void plainStringRendersAsItself() {
		assertThat(this.renderer.render("user:42")).isEqualTo("user:42");
	}

	@Test
	void keysThatLookAlikeRenderDifferently() {
		List<Object> keys = List.of("42", 42, 42L, (short) 42, 42.0, 42.0f, "#i:42", "##i:42", new SimpleKey("a", "b"),
				new SimpleKey("a,b"), new SimpleKey("a", "b,c"), new SimpleKey("a,b", "c"), new SimpleKey("a)", "b"),
				new SimpleKey(new SimpleKey("a", "b"), "c"), new SimpleKey("a", new SimpleKey("b", "c")),
				new SimpleKey("a\\", ",b"), new SimpleKey("a\\,", "b"), List.of("a", "b"), new Object[] { "a", "b" },
				Color.RED, "RED", new Query("Dune", 1), new Query("Dune", 2), true, "true", 'c', "c",
				LocalDate.of(2026, 1, 1), "2026-01-01", UUID.fromString("00000000-0000-0000-0000-000000000001"),
				SimpleKey.EMPTY, "#null", new SimpleKey(null, "a"), new SimpleKey("#null", "a"));
		Set<String> rendered = new HashSet<>();
		List<String> all = new ArrayList<>();
		for (Object key : keys) {
			String text = this.renderer.render(key);
			all.add(text);
			rendered.add(text);
		}
		assertThat(rendered).as("renderings %s", all).hasSize(keys.size());
	}

	@Test
	void equalKeysRenderEqually() {
		assertThat(this.renderer.render(new SimpleKey("a", 1))).isEqualTo(this.renderer.render(new SimpleKey("a", 1)));
		assertThat(this.renderer.render(new Query("Dune", 1))).isEqualTo(this.renderer.render(new Query("Dune", 1)));
	}

	@Test
	void longKeysAreHashed() {
		String longKey = "x".repeat(500);
		String rendered = this.renderer.render(longKey);
		assertThat(rendered).startsWith("#h:").hasSizeLessThan(KeyRenderer.MAX_LENGTH);
		assertThat(this.renderer.render("x".repeat(499) + "y")).isNotEqualTo(rendered);
		assertThat(this.renderer.render("#h:" + rendered.substring(3))).isNotEqualTo(rendered);
	}

	@Test
	void unrenderableKeyFailsWithAdvice() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.renderer.render(new Object()))
			.withMessageContaining("has no state").withMessageContaining("Use a key expression");
	}

}
