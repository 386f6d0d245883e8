package dev.tiercache.codec;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Currency;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;

import dev.tiercache.test.JavaSerialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reading a Java-serialized value computes a bounded number of hash codes (issue 16 item 15): a
 * nested-set bomb, whose hash codes take width<sup>depth</sup> steps, is refused before any hash code
 * is computed, counted by members whose {@code hashCode} counts its calls; values that share members
 * without being bombs still read.
 */
class HashingWorkTests {

	/** More hash codes than any payload here may take: far above its budget, far below a bomb's. */
	private static final long RUNAWAY = 50_000_000;

	private final JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
			new SerializationAllowList(Set.of("dev.tiercache.codec")));

	@BeforeEach
	void resetCount() {
		CountedLeaf.HASHES.set(0);
	}

	@Test
	void setBombThirtyDeepIsRefusedBeforeAnyHashCodeIsComputed() {
		byte[] bomb = JavaSerialization.serialize(setBomb(30, 2));
		assertThat(bomb.length).isLessThan(4096);
		assertRefusedUnhashed(bomb);
	}

	@Test
	void wideSetBombIsRefusedBeforeAnyHashCodeIsComputed() {
		byte[] bomb = JavaSerialization.serialize(setBomb(14, 3));
		assertThat(bomb.length).isLessThan(4096);
		assertRefusedUnhashed(bomb);
	}

	@Test
	void keysThatReachTheSetBeingReadCountWhatItHoldsSoFar() {
		Set<Object> set = new LinkedHashSet<>();
		for (int i = 0; i < 2_000; i++) {
			set.add(new CountedLeaf());
		}
		List<Set<Object>> holders = new ArrayList<>();
		for (int i = 0; i < 2_000; i++) {
			Set<Object> holder = new HashSet<>();
			holder.add(set);
			holders.add(holder);
		}
		set.add(holders);
		assertRefusedUnhashed(JavaSerialization.serialize(set));
	}

	@Test
	void valuesWhoseSetsAndMapsShareMembersStillRead() {
		List<CountedLeaf> tags = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			tags.add(new CountedLeaf());
		}
		List<Set<CountedLeaf>> books = new ArrayList<>();
		Map<Integer, Set<CountedLeaf>> booksById = new HashMap<>();
		Map<Integer, Set<CountedLeaf>> tagsByAuthor = new HashMap<>();
		for (int i = 0; i < 5_000; i++) {
			Set<CountedLeaf> book = new HashSet<>(List.of(tags.get(i % 20), tags.get((i + 7) % 20)));
			books.add(book);
			booksById.put(i, book);
			tagsByAuthor.put(i, new HashSet<>(List.of(tags.get(i % 20), tags.get((i + 3) % 20))));
		}
		Map<String, Object> value = new LinkedHashMap<>();
		value.put("books", books);
		value.put("booksById", booksById);
		value.put("tagsByAuthor", tagsByAuthor);
		value.put("tags", new HashSet<>(tags));
		byte[] payload = JavaSerialization.serialize(value);
		resetCount();
		assertThat(decode(payload)).isEqualTo(value);
		assertThat(CountedLeaf.HASHES.get()).as("each tag hashed once per set that reads it (then by equals)")
			.isGreaterThanOrEqualTo(4 * 5_000 + 20);
	}

	@Test
	void streamsOfJdkAndSpringDataValuesAreFollowed() {
		Properties properties = new Properties(new Properties());
		properties.setProperty("a", "b");
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("collections", List.of(new ArrayList<>(List.of(1, 2)), new LinkedList<>(List.of("a")),
				new ArrayDeque<>(List.of(1L)), new PriorityQueue<>(List.of(3, 1, 2)), new Vector<>(List.of('c')),
				new TreeSet<>(Collections.reverseOrder()), new TreeMap<>(Map.of("k", 1)), List.of(1, 2, 3), Set.of("x"),
				Map.of("k", "v"), Arrays.asList("a", null), Collections.unmodifiableMap(new HashMap<>(Map.of(1, 2))),
				Collections.synchronizedList(new ArrayList<>(List.of(1))), Collections.emptyList(),
				new IdentityHashMap<>(Map.of("i", 1)), new EnumMap<>(Map.of(Thread.State.NEW, 1)),
				EnumSet.of(Thread.State.NEW, Thread.State.BLOCKED), new Hashtable<>(Map.of("h", 1)), properties,
				new LinkedHashSet<>(List.of(1, 2)), new BitSet(70)));
		values.put("scalars", new Object[] { new Date(0), new BigDecimal("1.50"), new BigInteger("123456789012345678901"),
				UUID.randomUUID(), Locale.CANADA_FRENCH, Currency.getInstance("EUR"), Instant.now(), LocalDate.now(),
				ZonedDateTime.now(ZoneId.of("Europe/Paris")), Duration.ofMinutes(3), new StringBuilder("sb"), 'c',
				Thread.State.WAITING, String.class, new int[][] { { 1 }, { 2, 3 } }, new long[3],
				new IllegalStateException("failed", new RuntimeException("cause")) });
		values.put("page", new PageImpl<>(List.of("a", "b"), PageRequest.of(0, 2, Sort.by("name").descending()), 5));
		values.put("own", List.of(new Shelf(List.of("Dune")), new Custom("c")));
		byte[] payload = JavaSerialization.serialize(values);
		assertThat(HashingWork.refusal(payload, 0, payload.length)).isNull();
	}

	@Test
	void classWhoseWriteObjectSkipsItsFieldsCannotBeFollowedAndIsNotStored() {
		assertThatExceptionOfType(ValueEncodingException.class)
			.isThrownBy(() -> this.codec.encode(new HashMap<>(Map.of("k", new FieldsSkipped("x"))), Object.class))
			.withMessageContaining("cannot be followed")
			.withMessageContaining("defaultWriteObject");
	}

	record Shelf(List<String> titles) implements Serializable {
	}

	/** Writes its fields, then more. */
	static final class Custom implements Serializable {

		private String name;

		Custom(String name) {
			this.name = name;
		}

		private void writeObject(ObjectOutputStream out) throws IOException {
			out.defaultWriteObject();
			out.writeInt(42);
			out.writeObject(List.of(this.name));
		}

		private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
			in.defaultReadObject();
			in.readInt();
			in.readObject();
		}

	}

	/** Writes its state its own way, without its fields. */
	static final class FieldsSkipped implements Serializable {

		private String name;

		FieldsSkipped(String name) {
			this.name = name;
		}

		private void writeObject(ObjectOutputStream out) throws IOException {
			out.writeUTF(this.name);
		}

		private void readObject(ObjectInputStream in) throws IOException {
			this.name = in.readUTF();
		}

	}

	private void assertRefusedUnhashed(byte[] payload) {
		resetCount();
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(() -> decode(payload))
			.withMessageContaining("hash codes take more than");
		assertThat(CountedLeaf.HASHES.get()).as("hash codes computed").isZero();
	}

	private Object decode(byte[] payload) {
		return this.codec.decode(JsonOrSerializedValueCodec.SERIALIZED, payload, 0, payload.length, Object.class);
	}

	/**
	 * Sets nested {@code depth} levels below a root, {@code width} sets a level, each holding every set
	 * of the next level and a {@link CountedLeaf}: hashing the root takes about width<sup>depth</sup>
	 * steps. Built top down, so that each set holds only its leaf (and is cheap to hash) when it is added.
	 */
	private static Set<Object> setBomb(int depth, int width) {
		Set<Object> root = new HashSet<>();
		List<Set<Object>> level = List.of(root);
		for (int i = 0; i < depth; i++) {
			List<Set<Object>> next = new ArrayList<>();
			for (int j = 0; j < width; j++) {
				Set<Object> set = new HashSet<>();
				set.add(new CountedLeaf());
				next.add(set);
			}
			for (Set<Object> set : level) {
				set.addAll(next);
			}
			level = next;
		}
		return root;
	}

	/** Counts the calls of its {@code hashCode}, and stops a bomb that runs away. */
	static final class CountedLeaf implements Serializable {

		static final AtomicLong HASHES = new AtomicLong();

		private static final AtomicInteger IDS = new AtomicInteger();

		private final int id = IDS.incrementAndGet();

		@Override
		public int hashCode() {
			if (HASHES.incrementAndGet() > RUNAWAY) {
				throw new AssertionError("Hashed more than " + RUNAWAY + " times: the work is not bounded");
			}
			return this.id;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof CountedLeaf leaf && leaf.id == this.id;
		}

	}

}
