package dev.tiercache.codec;

import java.io.Serializable;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;

import dev.tiercache.test.JavaSerialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What {@link ValueCodec} promises, checked on the default {@link JsonOrSerializedValueCodec}: a value
 * it encodes reads back equal, of the same classes, or it is refused at encode; on read, an intact
 * payload of another type ({@link ValueTypeMismatchException}, the entry is kept) is told apart from a
 * corrupt one ({@link ValueDecodingException}, the entry is deleted); a payload is read from its slice
 * of a larger buffer; and the codec is safe to share between threads.
 */
class ValueCodecContractTests {

	private final JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
			new SerializationAllowList(Set.of("dev.tiercache.codec")));

	record Book(long id, String title) implements Serializable {
	}

	record Price(BigDecimal amount) implements Serializable {
	}

	record Holder(Object content) implements Serializable {
	}

	/** A Serializable class with state Jackson cannot see (no getter). */
	static final class Counter implements Serializable {

		private int count;

		public Counter() {
		}

		Counter(int count) {
			this.count = count;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Counter counter && counter.count == this.count;
		}

		@Override
		public int hashCode() {
			return this.count;
		}

	}

	/** The same, not Serializable. */
	static final class HiddenState {

		private int count;

		public HiddenState() {
		}

		HiddenState(int count) {
			this.count = count;
		}

	}

	@Test
	void anIntactJsonPayloadOfAnotherTypeIsAMismatchNotACorruption() {
		EncodedValue book = this.codec.encode(new Book(1, "Dune"), Book.class);
		assertThatExceptionOfType(ValueTypeMismatchException.class)
			.isThrownBy(() -> decode(book, Long.class))
			.withMessageContaining("java.lang.Long");
		EncodedValue number = this.codec.encode(42L, Long.class);
		assertThatExceptionOfType(ValueTypeMismatchException.class).isThrownBy(() -> decode(number, Book.class));
	}

	@Test
	void anIntactSerializedPayloadOfAnotherTypeIsAMismatchNamingBothTypes() {
		EncodedValue serialized = this.codec.encode(new Counter(3), Counter.class);
		assertThat(serialized.format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		assertThatExceptionOfType(ValueTypeMismatchException.class).isThrownBy(() -> decode(serialized, Book.class))
			.withMessageContaining(Counter.class.getName())
			.withMessageContaining(Book.class.getTypeName());
	}

	@Test
	void aCorruptPayloadIsNotAMismatch() {
		byte[] truncatedJson = Arrays.copyOf(this.codec.encode(new Book(1, "Dune"), Book.class).bytes(), 10);
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(JsonOrSerializedValueCodec.JSON, truncatedJson, 0, truncatedJson.length,
					Book.class))
			.isNotInstanceOf(ValueTypeMismatchException.class);
		byte[] serialized = this.codec.encode(new Counter(3), Counter.class).bytes();
		byte[] truncated = Arrays.copyOf(serialized, serialized.length / 2);
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(JsonOrSerializedValueCodec.SERIALIZED, truncated, 0, truncated.length,
					Counter.class))
			.isNotInstanceOf(ValueTypeMismatchException.class);
	}

	@Test
	void aPayloadThatDecodesToNullIsCorruptNotAValue() {
		byte[] json = "null".getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(JsonOrSerializedValueCodec.JSON, json, 0, json.length, Book.class))
			.isNotInstanceOf(ValueTypeMismatchException.class);
		byte[] serializedNull = JavaSerialization.serialize(new Holder(null));
		assertThat(decode(new EncodedValue(JsonOrSerializedValueCodec.SERIALIZED, serializedNull), Holder.class))
			.isEqualTo(new Holder(null));
	}

	@Test
	void aRefusedClassIsACorruptionNotAMismatch() {
		byte[] payload = JavaSerialization.serialize(new java.util.concurrent.atomic.AtomicLong(3));
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> this.codec.decode(JsonOrSerializedValueCodec.SERIALIZED, payload, 0, payload.length,
					Object.class))
			.isNotInstanceOf(ValueTypeMismatchException.class)
			.withMessageContaining("java.util.concurrent.atomic.AtomicLong");
	}

	@Test
	void aPayloadIsReadFromItsSliceOfALargerBuffer() {
		for (Object value : List.of(new Book(7, "Dune"), new Counter(5))) {
			EncodedValue encoded = this.codec.encode(value, value.getClass());
			byte[] framed = new byte[encoded.bytes().length + 20];
			Arrays.fill(framed, (byte) 0x7f);
			System.arraycopy(encoded.bytes(), 0, framed, 13, encoded.bytes().length);
			assertThat(this.codec.decode(encoded.format(), framed, 13, encoded.bytes().length, value.getClass()))
				.isEqualTo(value);
		}
	}

	@Test
	void anEntryWrittenByAnOlderVersionOfTheClassStillReads() {
		byte[] older = "{\"id\":7,\"title\":\"Dune\",\"subtitle\":\"dropped since\"}".getBytes(StandardCharsets.UTF_8);
		assertThat(this.codec.decode(JsonOrSerializedValueCodec.JSON, older, 0, older.length, Book.class))
			.isEqualTo(new Book(7, "Dune"));
	}

	@Test
	void valuesThatJsonWouldChangeAreSerializedAndReadBackWithTheirOwnClasses() {
		Map<String, Object> attributes = new HashMap<>(Map.of("count", 42L, "since", LocalDate.of(2026, 1, 2)));
		Type attributesType = new ParameterizedTypeReference<Map<String, Object>>() { }.getType();
		assertThat(roundTrip(attributes, attributesType)).isEqualTo(attributes);
		assertThat(this.codec.encode(attributes, attributesType).format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);

		Holder holder = new Holder(42L);
		assertThat(this.codec.encode(holder, Holder.class).format()).isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		assertThat(((Holder) roundTrip(holder, Holder.class)).content()).isInstanceOf(Long.class);

		List<Object> mixed = new ArrayList<>(List.of(LocalDate.of(2026, 1, 2), 7));
		assertThat(roundTrip(mixed, Object.class)).isEqualTo(mixed);
	}

	@Test
	void stateJacksonCannotSeeIsKeptBySerialization() {
		assertThat(this.codec.encode(new Counter(5), Counter.class).format())
			.isEqualTo(JsonOrSerializedValueCodec.SERIALIZED);
		assertThat(roundTrip(new Counter(5), Counter.class)).isEqualTo(new Counter(5));
	}

	@Test
	void aValueThatJsonWouldChangeAndThatIsNotSerializableIsRefusedNamingItsClassAndType() {
		assertThatExceptionOfType(ValueEncodingException.class)
			.isThrownBy(() -> this.codec.encode(new HiddenState(5), HiddenState.class))
			.withMessageContaining(HiddenState.class.getName())
			.withMessageContaining("not Serializable");
	}

	@Test
	void valuesJsonReproducesStayJson() {
		Holder holder = new Holder("text");
		assertThat(this.codec.encode(holder, Holder.class).format()).isEqualTo(JsonOrSerializedValueCodec.JSON);
		assertThat(roundTrip(holder, Holder.class)).isEqualTo(holder);
		Map<String, Object> attributes = new HashMap<>(Map.of("title", "Dune", "pages", 412));
		assertThat(this.codec.encode(attributes, Object.class).format()).isEqualTo(JsonOrSerializedValueCodec.JSON);
	}

	/** A generic mutable class: what JSON makes of its content depends on the declared type it is read as. */
	static final class Box<T> implements Serializable {

		public T content;

		public Box() {
		}

		Box(T content) {
			this.content = content;
		}

	}

	static final class Pair implements Serializable {

		public Box<Long> exact;

		public Box<Object> loose;

	}

	// the same object reached twice: JSON writes it twice and reads the copies as their paths declare
	@Test
	void anObjectSharedByAnExactAndALoosePathReadsBackWithItsOwnClasses() {
		Box<Long> shared = new Box<>(42L);
		Pair pair = new Pair();
		pair.exact = shared;
		@SuppressWarnings("unchecked")
		Box<Object> loose = (Box<Object>) (Box<?>) shared;
		pair.loose = loose;
		Pair decoded = (Pair) roundTrip(pair, Pair.class);
		assertThat(decoded.exact.content).isInstanceOf(Long.class);
		assertThat(decoded.loose.content).isInstanceOf(Long.class).isEqualTo(42L);
	}

	// a value the codec stores must read back: Jackson reads numbers of at most 1,000 digits by default
	@Test
	void aNumberLongerThanJsonReadersAcceptStillReadsBackEqual() {
		BigInteger huge = new BigInteger("7".repeat(1_200));
		BigDecimal precise = new BigDecimal("0." + "3".repeat(1_200));
		assertThat(roundTrip(huge, BigInteger.class)).isEqualTo(huge);
		assertThat(roundTrip(precise, BigDecimal.class)).isEqualTo(precise);
		assertThat(roundTrip(new Price(precise), Price.class)).isEqualTo(new Price(precise));
		Type prices = new ParameterizedTypeReference<List<BigDecimal>>() { }.getType();
		assertThat(roundTrip(List.of(BigDecimal.ONE, precise), prices)).isEqualTo(List.of(BigDecimal.ONE, precise));
	}

	@Test
	void manyThreadsEncodeAndDecodeThroughOneCodec() throws Exception {
		int threads = 8;
		int rounds = 300;
		AtomicInteger exact = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			Thread worker = new Thread(() -> {
				awaitLatch(start);
				for (int i = 0; i < rounds; i++) {
					Object value = switch (i % 4) {
						case 0 -> new Book(thread * rounds + i, "title " + i);
						case 1 -> new Counter(i);
						case 2 -> new Holder((long) i);
						default -> List.of(new Book(i, "listed"));
					};
					Type type = (i % 4 == 3) ? new ParameterizedTypeReference<List<Book>>() { }.getType() : value.getClass();
					if (value.equals(roundTrip(value, type))) {
						exact.incrementAndGet();
					}
				}
			});
			worker.start();
			workers.add(worker);
		}
		start.countDown();
		for (Thread worker : workers) {
			worker.join(TimeUnit.SECONDS.toMillis(60));
			assertThat(worker.isAlive()).isFalse();
		}
		assertThat(exact).hasValue(threads * rounds);
	}

	@Test
	void aFormatTagOutsideWhatAnEnvelopeHoldsIsRefusedNamingIt() {
		assertThat(new EncodedValue(EncodedValue.MAX_FORMAT, new byte[0]).format()).isEqualTo(15);
		assertThatIllegalArgumentException().isThrownBy(() -> new EncodedValue(EncodedValue.MAX_FORMAT + 1, new byte[0]))
			.withMessageContaining("but was 16");
		assertThatIllegalArgumentException().isThrownBy(() -> new EncodedValue(-1, new byte[0]))
			.withMessageContaining("but was -1");
	}

	private Object roundTrip(Object value, Type type) {
		return decode(this.codec.encode(value, type), type);
	}

	private Object decode(EncodedValue encoded, Type type) {
		return this.codec.decode(encoded.format(), encoded.bytes(), 0, encoded.bytes().length, type);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
