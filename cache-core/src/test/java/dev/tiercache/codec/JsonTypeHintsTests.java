package dev.tiercache.codec;

import java.lang.reflect.Type;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19: the type hints of JSON payloads, which let a reader that declares no type get the value as
 * written ({@code Long} 10, not {@code Integer}; a record, not a map), and which a reader admits only for
 * types it could declare without risk, checking names before it loads any class.
 */
class JsonTypeHintsTests {

	private final JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
			new SerializationAllowList(Set.of("dev.tiercache.codec")));

	record Book(long id, String title) {
	}

	/** A bean of the application's packages: neither a record, nor an enum, nor Serializable. */
	public static class Settings {

		private String url;

		public String getUrl() {
			return this.url;
		}

		public void setUrl(String url) {
			this.url = url;
		}

	}

	private static final AtomicBoolean tripwireInitialized = new AtomicBoolean();

	/** Marks itself initialized (the test never touches it otherwise). */
	static final class Tripwire {

		static {
			tripwireInitialized.set(true);
		}

	}

	@Test
	void aJsonPayloadCarriesItsDeclaredTypeAndAnUntypedReadGetsThatType() {
		assertThat(untypedRoundTrip(10L, Long.class)).isEqualTo(10L).isInstanceOf(Long.class);
		assertThat(untypedRoundTrip(new Book(7, "Dune"), Book.class)).isEqualTo(new Book(7, "Dune"));
		Type books = new ParameterizedTypeReference<List<Book>>() { }.getType();
		assertThat(untypedRoundTrip(List.of(new Book(7, "Dune")), books)).isEqualTo(List.of(new Book(7, "Dune")));
		Type dates = new ParameterizedTypeReference<Map<String, LocalDate>>() { }.getType();
		assertThat(untypedRoundTrip(Map.of("d", LocalDate.of(1965, 8, 1)), dates))
			.isEqualTo(Map.of("d", LocalDate.of(1965, 8, 1)));
		assertThat(untypedRoundTrip(3, int.class)).isEqualTo(3);
	}

	@Test
	void aValueDeclaredAsObjectOrSerializedCarriesNoHint() {
		assertThat(this.codec.encode("x", Object.class).typeHint()).isNull();
		EncodedValue serialized = this.codec.encode(10L, Object.class);
		assertThat(serialized.format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		assertThat(serialized.typeHint()).isNull();
	}

	@Test
	void hintsNamingTypesOutsideTheAllowListOrRiskyJdkTypesAreRefused() {
		assertThat(this.codec.typeForHint("java.lang.Class")).isNull();
		assertThat(this.codec.typeForHint("java.lang.ProcessBuilder")).isNull();
		assertThat(this.codec.typeForHint("java.lang.Thread")).isNull();
		assertThat(this.codec.typeForHint("java.util.List<java.lang.Class>")).isNull();
		assertThat(this.codec.typeForHint("java.util.Map<java.lang.String,com.example.Gadget>")).isNull();
		assertThat(this.codec.typeForHint("java.time.chrono.HijrahChronology")).isNull();
		assertThat(this.codec.typeForHint("[Ljava.lang.String;")).isNull();
		assertThat(this.codec.typeForHint("java.util.List<")).isNull();
		assertThat(this.codec.typeForHint("dev.tiercache.codec.NoSuchClass")).isNull();
		assertThat(this.codec.typeForHint("java.util.List<dev.tiercache.codec.JsonTypeHintsTests$Book>"))
			.isNotNull();
		assertThat(this.codec.typeForHint("java.time.LocalDate")).isNotNull();
	}

	/** The allow-list admits the whole package; a hint admits only its records, enums and Serializable classes. */
	@Test
	void hintsNamingABeanOfTheAllowedPackagesOrOverTheLengthLimitAreRefused() {
		assertThat(this.codec.typeForHint("dev.tiercache.codec.JsonTypeHintsTests$Settings")).isNull();
		Settings settings = new Settings();
		settings.setUrl("redis://cache");
		assertThat(this.codec.encode(settings, Settings.class).typeHint()).as("the hint a reader would refuse")
			.isNull();
		assertThat(this.codec.typeForHint("java.util.List<dev.tiercache.codec.JsonTypeHintsTests$Settings>")).isNull();
		String nested = "java.util.List<".repeat(80) + "java.lang.String" + ">".repeat(80);
		assertThat(nested.length()).isGreaterThan(EncodedValue.MAX_TYPE_HINT);
		assertThat(this.codec.typeForHint(nested)).isNull();
	}

	@Test
	void aRefusedHintLoadsNoClass() {
		JsonOrSerializedValueCodec elsewhere = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("dev.tiercache.elsewhere")));
		assertThat(elsewhere.typeForHint("java.util.List<dev.tiercache.codec.JsonTypeHintsTests$Tripwire>")).isNull();
		assertThat(tripwireInitialized).as("the class named by a refused hint was initialized").isFalse();
	}

	private Object untypedRoundTrip(Object value, Type declaredType) {
		EncodedValue encoded = this.codec.encode(value, declaredType);
		assertThat(encoded.typeHint()).as("the hint of a %s", declaredType).isNotNull();
		Type hinted = this.codec.typeForHint(encoded.typeHint());
		assertThat(hinted).as("the type of hint %s", encoded.typeHint()).isNotNull();
		return this.codec.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, hinted);
	}

}
