package dev.tiercache.codec;

import java.io.Serializable;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.ResolvableType;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JsonOrSerializedValueCodecTests {

	private final JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
			new SerializationAllowList(Set.of("dev.tiercache.codec")));

	enum Genre {

		FICTION, SCIENCE

	}

	record Book(long id, String title, Genre genre, LocalDate published, BigDecimal price) implements Serializable {
	}

	record WithIgnoredComponent(String title, @JsonIgnore String owner) implements Serializable {
	}

	record WithWriteOnlyComponent(String title, @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String owner)
			implements Serializable {
	}

	record WithIgnoredAccessor(String title, String owner) implements Serializable {

		@JsonIgnore
		@Override
		public String owner() {
			return this.owner;
		}

	}

	record WithRenamingAccessor(String title) implements Serializable {

		@JsonProperty("name")
		@Override
		public String title() {
			return this.title;
		}

	}

	record WithChangingAccessor(String title) implements Serializable {

		@Override
		public String title() {
			return this.title.strip();
		}

	}

	/** A mutable JPA-style entity: no creator for JSON, but Serializable. */
	static final class Author implements Serializable {

		private final Long id;

		private final List<String> books = new ArrayList<>();

		Author(Long id) {
			this.id = id;
		}

		Long getId() {
			return this.id;
		}

		List<String> getBooks() {
			return this.books;
		}

	}

	/** Has no creator Jackson can use and is not Serializable. */
	static final class NotSerializableHolder {

		private final String content;

		NotSerializableHolder(String content, int unused) {
			this.content = content;
		}

		public String getContent() {
			return this.content;
		}

	}

	private Object roundTrip(Object value, Type type) {
		EncodedValue encoded = this.codec.encode(value, type);
		return this.codec.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, type);
	}

	private static Type type(ParameterizedTypeReference<?> reference) {
		return reference.getType();
	}

	private static final Book BOOK = new Book(7, "Dune", Genre.FICTION, LocalDate.of(1965, 8, 1), new BigDecimal("9.99"));

	@Test
	void recordRoundTripsAsJsonWithoutClassNames() {
		EncodedValue encoded = this.codec.encode(BOOK, Book.class);
		assertThat(encoded.format()).isEqualTo(JsonOrSerializedValueCodec.JSON);
		assertThat(new String(encoded.bytes())).doesNotContain("dev.tiercache").contains("\"title\":\"Dune\"");
		assertThat(roundTrip(BOOK, Book.class)).isEqualTo(BOOK);
	}

	// issue 16 item 12: Jackson annotations on record components reach Jackson through the field,
	// accessor or constructor parameter, not RecordComponent.getAnnotations(); an accessor of its own
	// may carry them too, or change what JSON holds
	@Test
	void recordsWhoseJsonLosesStateFallBackToSerializationAndReadBackExactly() {
		List<Object> records = List.of(new WithIgnoredComponent("Dune", "acme"), new WithWriteOnlyComponent("Dune", "acme"),
				new WithIgnoredAccessor("Dune", "acme"), new WithRenamingAccessor("Dune"),
				new WithChangingAccessor(" Dune "));
		SoftAssertions.assertSoftly((softly) -> {
			for (Object record : records) {
				softly.assertThat(roundTrip(record, record.getClass())).as("%s", record).isEqualTo(record);
				Type listType = ResolvableType.forClassWithGenerics(List.class, record.getClass()).getType();
				softly.assertThat(roundTrip(List.of(record), listType)).as("a list of %s", record)
					.isEqualTo(List.of(record));
			}
		});
	}

	@Test
	void genericCollectionsRoundTripToDeclaredElementType() {
		Type listType = type(new ParameterizedTypeReference<List<Book>>() { });
		Type mapType = type(new ParameterizedTypeReference<Map<String, Book>>() { });
		assertThat(roundTrip(List.of(BOOK), listType)).isEqualTo(List.of(BOOK));
		assertThat(roundTrip(new ArrayList<>(List.of(BOOK)), listType)).isEqualTo(List.of(BOOK))
			.isInstanceOf(ArrayList.class);
		assertThat(roundTrip(Map.of("dune", BOOK), mapType)).isEqualTo(Map.of("dune", BOOK));
	}

	@Test
	void scalarsRoundTripExactly() {
		assertThat(roundTrip(42L, Long.class)).isEqualTo(42L).isInstanceOf(Long.class);
		assertThat(roundTrip(Genre.SCIENCE, Genre.class)).isEqualTo(Genre.SCIENCE);
		Instant instant = Instant.parse("2026-11-23T10:15:30.123456789Z");
		assertThat(roundTrip(instant, Instant.class)).isEqualTo(instant);
		ZonedDateTime zoned = ZonedDateTime.parse("2026-11-23T10:15:30+01:00[Europe/Paris]");
		assertThat(roundTrip(zoned, ZonedDateTime.class)).isEqualTo(zoned);
		assertThat(roundTrip(Duration.ofMinutes(90), Duration.class)).isEqualTo(Duration.ofMinutes(90));
	}

	@Test
	void optionalRoundTrips() {
		Type optionalType = type(new ParameterizedTypeReference<Optional<Book>>() { });
		assertThat(roundTrip(Optional.of(BOOK), optionalType)).isEqualTo(Optional.of(BOOK));
	}

	@Test
	void longDeclaredAsObjectFallsBackToSerializationAndStaysLong() {
		EncodedValue encoded = this.codec.encode(42L, Object.class);
		assertThat(encoded.format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		assertThat(roundTrip(42L, Object.class)).isEqualTo(42L);
	}

	@Test
	void pageImplFallsBackToAllowListedSerialization() {
		Type pageType = type(new ParameterizedTypeReference<Page<Book>>() { });
		Page<Book> page = new PageImpl<>(List.of(BOOK), PageRequest.of(0, 10, Sort.by("title")), 1);
		EncodedValue encoded = this.codec.encode(page, pageType);
		assertThat(encoded.format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		@SuppressWarnings("unchecked")
		Page<Book> decoded = (Page<Book>) roundTrip(page, pageType);
		assertThat(decoded.getContent()).containsExactly(BOOK);
		assertThat(decoded.getPageable()).isEqualTo(page.getPageable());
		assertThat(decoded.getTotalElements()).isEqualTo(1);
	}

	@Test
	void entityWithoutCreatorFallsBackToSerialization() {
		Author author = new Author(3L);
		author.getBooks().add("Dune");
		Author decoded = (Author) roundTrip(author, Author.class);
		assertThat(decoded.getId()).isEqualTo(3L);
		assertThat(decoded.getBooks()).containsExactly("Dune");
	}

	@Test
	void serializedClassOutsideAllowListIsRefusedOnReadNamingTheClass() {
		JsonOrSerializedValueCodec permissive = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("dev.tiercache")));
		EncodedValue encoded = permissive.encode(new Author(1L), Author.class);
		JsonOrSerializedValueCodec strict = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("com.example")));
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> strict.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, Author.class))
			.withMessageContaining(Author.class.getName())
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@Test
	void serializableClassOutsideAllowListIsNotEncoded() {
		JsonOrSerializedValueCodec strict = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("com.example")));
		assertThatExceptionOfType(ValueEncodingException.class)
			.isThrownBy(() -> strict.encode(new Author(1L), Author.class))
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@Test
	void valueNeitherJsonNorSerializableIsNotEncoded() {
		assertThatExceptionOfType(ValueEncodingException.class)
			.isThrownBy(() -> this.codec.encode(new NotSerializableHolder("x", 0), NotSerializableHolder.class))
			.withMessageContaining("not Serializable");
	}

	@Test
	void corruptPayloadIsADecodingError() {
		byte[] garbage = "{not json".getBytes();
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(JsonOrSerializedValueCodec.JSON, garbage, 0, garbage.length, Book.class));
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(
				() -> this.codec.decode(JsonOrSerializedValueCodec.SERIALIZED, garbage, 0, garbage.length, Book.class));
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(9, garbage, 0, garbage.length, Book.class))
			.withMessageContaining("Unknown payload format 9");
	}

	@Test
	void payloadOfAnotherTypeIsADecodingError() {
		EncodedValue encoded = this.codec.encode(BOOK, Book.class);
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(
				() -> this.codec.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, Long.class));
	}

}
