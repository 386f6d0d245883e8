package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;

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
	void keysWithLoneSurrogatesStayApartInUtf8() {
		List<Object> keys = List.of("\uD800", "\uDC00", "?", "a\uD800", "a?", '\uD800', '?', new SimpleKey("\uD800", 1),
				new SimpleKey("?", 1), "x".repeat(300) + "\uD800", "x".repeat(300) + "?");
		Set<String> asStoredInRedis = new HashSet<>();
		for (Object key : keys) {
			asStoredInRedis.add(new String(this.renderer.render(key).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
		}
		assertThat(asStoredInRedis).hasSize(keys.size());
		assertThat(this.renderer.render("\uD83D\uDE00")).as("a surrogate pair is well formed").isEqualTo("\uD83D\uDE00");
	}

	@Test
	void statelessKeyFailsWithAdvice() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.renderer.render(new Stateless()))
			.withMessageContaining(Stateless.class.getName())
			.withMessageContaining("has no state")
			.withMessageContaining("Use a key expression");
	}

	@Test
	void opaqueJdkKeyFailsWithAdvice() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.renderer.render(new StringBuilder("x")))
			.withMessageContaining("java.lang.StringBuilder");
	}

	@Test
	void selfReferencingKeyFailsInsteadOfLooping() {
		List<Object> loop = new ArrayList<>();
		loop.add(loop);
		assertThatIllegalArgumentException().isThrownBy(() -> this.renderer.render(loop))
			.withMessageContaining("nested more than");
	}

	@Test
	void stateThatJsonCannotSeeKeepsKeysApart() {
		assertThat(this.renderer.render(new TenantQuery("acme", "books")))
			.isNotEqualTo(this.renderer.render(new TenantQuery("globex", "books")));
	}

	@Test
	void integerAndLongInObjectComponentsRenderDifferently() {
		assertThat(this.renderer.render(new Loose(1))).isNotEqualTo(this.renderer.render(new Loose(1L)));
		assertThat(this.renderer.render(Map.of("a", 1))).isNotEqualTo(this.renderer.render(Map.of("a", 1L)));
		assertThat(this.renderer.render(List.of(1))).isNotEqualTo(this.renderer.render(List.of(1L)));
	}

	@Test
	void setsAndMapsRenderAlikeWhateverTheirOrder() {
		assertThat(this.renderer.render(new LinkedHashSet<>(List.of("a", "b"))))
			.isEqualTo(this.renderer.render(new LinkedHashSet<>(List.of("b", "a"))));
		Map<String, Integer> ab = new LinkedHashMap<>();
		ab.put("a", 1);
		ab.put("b", 2);
		Map<String, Integer> ba = new LinkedHashMap<>();
		ba.put("b", 2);
		ba.put("a", 1);
		assertThat(this.renderer.render(ab)).isEqualTo(this.renderer.render(ba));
	}

	@Test
	void springDataPageRequestsRenderByTheirState() {
		assertThat(this.renderer.render(PageRequest.of(0, 20, Sort.by("name"))))
			.isEqualTo(this.renderer.render(PageRequest.of(0, 20, Sort.by("name"))))
			.isNotEqualTo(this.renderer.render(PageRequest.of(1, 20, Sort.by("name"))))
			.isNotEqualTo(this.renderer.render(PageRequest.of(0, 20, Sort.by("title"))));
	}

	// issue 16 item 13: a Timestamp holds nanoseconds that Date.getTime() does not show
	@Test
	void timestampsThatDifferBelowAMillisecondRenderDifferently() {
		Timestamp timestamp = Timestamp.valueOf("2026-11-30 10:15:30.123456789");
		assertThat(this.renderer.render(timestamp))
			.isNotEqualTo(this.renderer.render(Timestamp.valueOf("2026-11-30 10:15:30.123456788")))
			.isNotEqualTo(this.renderer.render(Timestamp.valueOf("2026-11-30 10:15:30.123")))
			.isEqualTo(this.renderer.render(Timestamp.valueOf("2026-11-30 10:15:30.123456789")));
		assertThat(this.renderer.render(new SimpleKey(timestamp, 1)))
			.isNotEqualTo(this.renderer.render(new SimpleKey(Timestamp.valueOf("2026-11-30 10:15:30.1234567"), 1)));
	}

	// issue 16 item 13
	@Test
	void dateClassesRenderApartAndDateSubclassesByAllTheirState() {
		long millis = 1_796_040_930_123L;
		List<Object> keys = List.of(new Date(millis), new Date(millis + 1), new java.sql.Date(millis), new Time(millis),
				new Timestamp(millis), new TenantDate("acme", millis), new TenantDate("globex", millis),
				new TenantDate("acme", millis + 1));
		Set<String> rendered = new HashSet<>();
		for (Object key : keys) {
			rendered.add(this.renderer.render(key));
		}
		assertThat(rendered).hasSameSizeAs(keys);
		assertThat(this.renderer.render(new TenantDate("acme", millis)))
			.isEqualTo(this.renderer.render(new TenantDate("acme", millis)));
	}

	static final class Stateless {

	}

	/** A key whose tenant has no getter, so JSON would not see it. */
	static final class TenantQuery {

		private final String tenant;

		private final String text;

		TenantQuery(String tenant, String text) {
			this.tenant = tenant;
			this.text = text;
		}

		public String getText() {
			return this.text;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof TenantQuery query && query.tenant.equals(this.tenant) && query.text.equals(this.text);
		}

		@Override
		public int hashCode() {
			return this.tenant.hashCode() * 31 + this.text.hashCode();
		}

	}

	@Test
	void theNamesOfStringsScalarsUuidsAndEnumsReadBackAsTheirKeys() {
		UUID id = UUID.randomUUID();
		for (Object key : List.of("dune", "#hash", 42L, 42, (short) 7, (byte) 1, 2.5d, 1.5f, true, 'x', id,
				Sort.Direction.DESC)) {
			String name = this.renderer.render(key);
			assertThat(this.renderer.parse(name, key.getClass())).as(name).isEqualTo(key);
		}
		assertThat(this.renderer.parse("#l:42", long.class)).as("a primitive parameter").isEqualTo(42L);
	}

	@Test
	void aNameThatNoKeyOfTheTypeRendersAsReadsAsNothing() {
		assertThat(this.renderer.parse("#l:42", Integer.class)).as("a Long's name, as an Integer").isNull();
		assertThat(this.renderer.parse("#l:42", String.class)).as("a Long's name, as a String").isNull();
		assertThat(this.renderer.parse("#l:042", Long.class)).as("42 renders without the zero").isNull();
		assertThat(this.renderer.parse("#z:maybe", Boolean.class)).isNull();
		assertThat(this.renderer.parse("#o:java.util.UUID:not-a-uuid", UUID.class)).isNull();
		assertThat(this.renderer.parse("#e:" + Sort.Direction.class.getName() + ".SIDEWAYS", Sort.Direction.class))
			.isNull();
		assertThat(this.renderer.parse("#r:dev.tiercache.tier.KeyRendererTests$Loose(#i:1)", Loose.class))
			.as("a record: its rendering does not read back").isNull();
	}

	record Loose(Object value) {
	}

	/** A date with state of its own, besides the time that {@code Date} keeps in transient fields. */
	static final class TenantDate extends Date {

		private final String tenant;

		TenantDate(String tenant, long millis) {
			super(millis);
			this.tenant = tenant;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof TenantDate date && date.tenant.equals(this.tenant) && super.equals(other);
		}

		@Override
		public int hashCode() {
			return super.hashCode() * 31 + this.tenant.hashCode();
		}

	}

}
