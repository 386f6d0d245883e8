package dev.tiercache.codec;

import java.io.Serializable;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.domain.Page;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JsonFidelity}: which declared types survive typed JSON by construction (so that values of
 * them are not checked), and how a decoded value is compared with the original when they are checked:
 * the same classes and state, collections by content, cycles followed once.
 */
class JsonFidelityTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final JsonFidelity fidelity = new JsonFidelity(
			new PlainRecords(this.mapper.serializationConfig(), this.mapper.deserializationConfig()));

	enum Genre {

		FICTION

	}

	record Book(long id, String title, Genre genre, LocalDate published, BigDecimal price, UUID isbn) {
	}

	record Shelf(String name, List<Book> books, Map<String, Book> byTitle) {
	}

	record Loose(Object content) {
	}

	record Boxed<T>(T content) {
	}

	record Ignoring(String title, @JsonIgnore String owner) {
	}

	/** A mutable node that may point back to itself. */
	static final class Node implements Serializable {

		String name;

		Node next;

		transient String cache;

		Node(String name) {
			this.name = name;
		}

	}

	@Test
	void valueTypesEnumsPlainRecordsAndCollectionsOfThemSurviveByType() {
		assertThat(this.fidelity.survivesByType(String.class)).isTrue();
		assertThat(this.fidelity.survivesByType(long.class)).isTrue();
		assertThat(this.fidelity.survivesByType(Genre.class)).isTrue();
		assertThat(this.fidelity.survivesByType(Book.class)).isTrue();
		assertThat(this.fidelity.survivesByType(Shelf.class)).isTrue();
		assertThat(this.fidelity.survivesByType(Book[].class)).isTrue();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<List<Book>>() { }))).isTrue();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Set<Genre>>() { }))).isTrue();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Optional<Book>>() { }))).isTrue();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Map<Long, Book>>() { }))).isTrue();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Map<UUID, List<Book>>>() { })))
			.isTrue();
	}

	@Test
	void typesWhoseValuesJsonMayChangeAreCheckedValueByValue() {
		assertThat(this.fidelity.survivesByType(Object.class)).isFalse();
		assertThat(this.fidelity.survivesByType(Number.class)).isFalse();
		assertThat(this.fidelity.survivesByType(Loose.class)).as("an Object component").isFalse();
		assertThat(this.fidelity.survivesByType(Boxed.class)).as("a generic record").isFalse();
		assertThat(this.fidelity.survivesByType(Ignoring.class)).as("a @JsonIgnore component").isFalse();
		assertThat(this.fidelity.survivesByType(ZonedDateTime.class)).as("its zone may be rewritten").isFalse();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<List<Object>>() { }))).isFalse();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Map<LocalDate, Book>>() { })))
			.as("a key JSON writes as text").isFalse();
		assertThat(this.fidelity.survivesByType(type(new ParameterizedTypeReference<Page<Book>>() { }))).isFalse();
		assertThat(this.fidelity.survivesByType(Node.class)).isFalse();
	}

	@Test
	void aNumberOrDateThatComesBackAsAnotherClassIsNotTheSame() {
		assertThat(this.fidelity.same(42L, 42)).isFalse();
		assertThat(this.fidelity.same(LocalDate.of(2026, 1, 2), "2026-01-02")).isFalse();
		assertThat(this.fidelity.same(new Loose(42L), new Loose(42))).isFalse();
		assertThat(this.fidelity.same(new Loose(42L), new Loose(42L))).isTrue();
	}

	@Test
	void collectionsCompareByContentWhateverTheirClass() {
		assertThat(this.fidelity.same(new LinkedList<>(List.of(1, 2)), new ArrayList<>(List.of(1, 2)))).isTrue();
		assertThat(this.fidelity.same(List.of(1, 2), List.of(2, 1))).as("order counts in a list").isFalse();
		assertThat(this.fidelity.same(Set.of("a", "b"), new HashSet<>(List.of("b", "a")))).isTrue();
		assertThat(this.fidelity.same(Map.of("k", 1L), Map.of("k", 1))).as("values compared exactly").isFalse();
		assertThat(this.fidelity.same(Map.of("k", 1L), Map.of("j", 1L))).isFalse();
		assertThat(this.fidelity.same(List.of(1), List.of(1, 1))).isFalse();
	}

	@Test
	void objectsCompareFieldByFieldLeavingTransientStateAside() {
		Node original = new Node("a");
		original.cache = "computed";
		Node decoded = new Node("a");
		assertThat(this.fidelity.same(original, decoded)).isTrue();
		decoded.name = "b";
		assertThat(this.fidelity.same(original, decoded)).isFalse();
		assertThat(this.fidelity.same(original, null)).isFalse();
		assertThat(this.fidelity.same(null, null)).isTrue();
	}

	@Test
	void arraysCompareElementByElement() {
		assertThat(this.fidelity.same(new int[] { 1, 2 }, new int[] { 1, 2 })).isTrue();
		assertThat(this.fidelity.same(new int[] { 1, 2 }, new int[] { 2, 1 })).isFalse();
		assertThat(this.fidelity.same(new Object[] { 1L }, new Object[] { 1 })).isFalse();
		assertThat(this.fidelity.same(new Object[] { 1L }, new Object[] { 1L, 2L })).isFalse();
	}

	@Test
	void aCyclicGraphIsComparedWithoutEndlessRecursion() {
		Node original = new Node("a");
		original.next = original;
		Node decoded = new Node("a");
		decoded.next = decoded;
		assertThat(this.fidelity.same(original, decoded)).isTrue();
		Node renamed = new Node("b");
		renamed.next = renamed;
		assertThat(this.fidelity.same(original, renamed)).isFalse();
	}

	@Test
	void anObjectReachedTwiceIsComparedWithEachOfItsDecodedCopies() {
		Node shared = new Node("shared");
		Node first = new Node("first");
		first.next = shared;
		Node second = new Node("second");
		second.next = shared;
		List<Node> original = List.of(first, second);
		Node firstCopy = new Node("first");
		firstCopy.next = new Node("shared");
		Node secondCopy = new Node("second");
		secondCopy.next = new Node("changed on the way");
		assertThat(this.fidelity.same(original, List.of(firstCopy, secondCopy))).isFalse();
		secondCopy.next = new Node("shared");
		assertThat(this.fidelity.same(original, List.of(firstCopy, secondCopy))).isTrue();
	}

	@Test
	void aCyclicValueIsStoredWithItsCycleIntact() {
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("dev.tiercache.codec")));
		Node first = new Node("first");
		Node second = new Node("second");
		first.next = second;
		second.next = first;
		EncodedValue encoded = codec.encode(first, Node.class);
		assertThat(encoded.format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		Node decoded = (Node) codec.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, Node.class);
		assertThat(decoded.name).isEqualTo("first");
		assertThat(decoded.next.name).isEqualTo("second");
		assertThat(decoded.next.next).isSameAs(decoded);
	}

	private static Type type(ParameterizedTypeReference<?> reference) {
		return reference.getType();
	}

}
