package dev.tiercache.tier;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.test.JavaSerialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 7, keys and codec: values come back as exactly what was stored, across instances; what
 * readers would refuse is never stored; deserialization has resource limits; decode failures are
 * logged at a bounded rate; cache names that would collide in Redis are refused.
 */
class TieredCacheCodecTests {

	private static final String CACHE = "books";

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	private TieredCache instance() {
		return this.fixture.manager(CACHE, UnaryOperator.identity()).getTieredCache(CACHE);
	}

	record Loose(String name, Object value) implements Serializable {
	}

	record Shelf(List<String> titles) implements Serializable {
	}

	/** A DTO with state Jackson cannot see: no getter for {@code tenant}. */
	static final class Hidden implements Serializable {

		private final String tenant;

		private final String title;

		Hidden(String tenant, String title) {
			this.tenant = tenant;
			this.title = title;
		}

		public String getTitle() {
			return this.title;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Hidden hidden && hidden.tenant.equals(this.tenant) && hidden.title.equals(this.title);
		}

		@Override
		public int hashCode() {
			return this.title.hashCode();
		}

	}

	private static Type type(ParameterizedTypeReference<?> reference) {
		return reference.getType();
	}

	@Test
	void valuesWrittenByOneInstanceReadBackExactlyOnAnother() {
		Type mapOfObjects = type(new ParameterizedTypeReference<Map<String, Object>>() {
		});
		Type listOfObjects = type(new ParameterizedTypeReference<List<Object>>() {
		});
		Type optionalLoose = type(new ParameterizedTypeReference<Optional<Loose>>() {
		});
		Map<String, Object> plain = new LinkedHashMap<>(Map.of("a", "x"));
		Map<String, Object> withLong = new LinkedHashMap<>(Map.of("a", 5L));
		Map<String, Object> withDate = new LinkedHashMap<>(Map.of("a", LocalDate.of(2026, 11, 30)));
		List<Object[]> corpus = List.of(new Object[] { plain, mapOfObjects }, new Object[] { withLong, mapOfObjects },
				new Object[] { withDate, mapOfObjects }, new Object[] { new Loose("n", "x"), Loose.class },
				new Object[] { new Loose("n", 5L), Loose.class },
				new Object[] { new Loose("n", LocalDate.of(2026, 1, 2)), Loose.class },
				new Object[] { new ArrayList<>(), listOfObjects }, new Object[] { new ArrayList<>(List.of(7L)), listOfObjects },
				new Object[] { Optional.empty(), Optional.class }, new Object[] { new Loose("n", null), Loose.class },
				new Object[] { new Loose("n", new HashSet<>(Set.of(1L, 2L))), Loose.class },
				new Object[] { new Hidden("acme", "Dune"), Hidden.class }, new Object[] { new Shelf(List.of()), Shelf.class },
				new Object[] { new Shelf(List.of("Dune")), Shelf.class });
		TieredCache writer = instance();
		TieredCache reader = instance();
		for (int i = 0; i < corpus.size(); i++) {
			Object value = corpus.get(i)[0];
			Type declared = (Type) corpus.get(i)[1];
			writer.put("v" + i, value, declared);
			Object read = reader.get("v" + i, declared, () -> {
				throw new AssertionError("the value was stored");
			});
			assertThat(read).as("value %s as %s", value, declared).usingRecursiveComparison().withStrictTypeChecking()
				.isEqualTo(value);
		}
		assertThat(reader.stats().decodeFailures()).isZero();
	}

	@Test
	void valueTheAllowListWouldRefuseOnReadIsNeverStored() {
		TieredCache cache = instance();
		Loose refused = new Loose("n", new ArrayList<>(List.of(new File("/tmp/x"))));
		cache.put("k", refused, Loose.class);
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNull();
		assertThat(cache.stats().encodeFailures()).isEqualTo(1);
		assertThat(cache.stats().decodeFailures()).isZero();
	}

	@Test
	void refusalAtWriteNamesTheClassAndTheProperty() {
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of("dev")));
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> codec.encode(new Loose("n", new ArrayList<>(List.of(new File("/tmp/x")))), Loose.class))
			.withMessageContaining("java.io.File")
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@Test
	void entryOfAnotherTypeIsReplacedByTheLoadNotDeletedByTheRead() throws Throwable {
		TieredCache writer = instance();
		writer.put("k", "a string");
		TieredCache reader = instance();
		Object loaded = reader.getOrLoad("k", Integer.class, Integer.class, reader.settings(), () -> 42, null, null);
		assertThat(loaded).isEqualTo(42);
		assertThat(instance().get("k", Integer.class)).as("the load replaced it").isEqualTo(42);
	}

	@Test
	void wrongTypeReadNeverDeletesAGoodEntry() {
		TieredCache cache = instance();
		cache.put("k", "a string");
		TieredCache other = instance();
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> other.get("k", Integer.class));
		}
		assertThat(this.fixture.rawGet(this.fixture.valueKey(CACHE, "k"))).isNotNull();
		assertThat(instance().get("k", String.class)).isEqualTo("a string");
	}

	@Test
	void nestedSetBombIsRefusedWithoutRunningIt() {
		byte[] bomb = JavaSerialization.serialize(nestedSetBomb(100));
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of()));
		assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> assertThatExceptionOfType(ValueDecodingException.class)
					.isThrownBy(() -> codec.decode(JsonOrSerializedValueCodec.SERIALIZED, bomb, 0, bomb.length, Set.class))
					.withMessageContaining("deeper than"));
	}

	@Test
	void smallPayloadDeclaringAHugeArrayIsRefusedWithoutAllocatingIt() throws IOException {
		byte[] payload = hugeLongArrayHeader(10_000_000);
		assertThat(payload.length).isLessThan(64);
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(new SerializationAllowList(List.of()));
		assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> assertThatExceptionOfType(ValueDecodingException.class)
					.isThrownBy(
							() -> codec.decode(JsonOrSerializedValueCodec.SERIALIZED, payload, 0, payload.length, long[].class))
					.withMessageContaining("array of 10000000 elements"));
	}

	@Test
	void decodeFailuresAreLoggedAtMostOncePerIntervalPerCache() {
		TieredCache cache = instance();
		List<LogRecord> warnings = new ArrayList<>();
		Handler handler = new Handler() {

			@Override
			public void publish(LogRecord record) {
				if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
					warnings.add(record);
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		Logger logger = Logger.getLogger(TieredCache.class.getName());
		logger.addHandler(handler);
		try {
			for (int i = 0; i < 5; i++) {
				this.fixture.rawSet(this.fixture.valueKey(CACHE, "k" + i), "garbage that is long enough to be read".getBytes());
				assertThat(cache.get("k" + i, String.class, () -> "reloaded")).isEqualTo("reloaded");
			}
		}
		finally {
			logger.removeHandler(handler);
		}
		assertThat(cache.stats().decodeFailures()).isEqualTo(5);
		assertThat(warnings).hasSize(1);
	}

	@Test
	void cacheNamesThatWouldShareRedisKeysAreRefused() throws Exception {
		for (String name : List.of("a:b", "a{b", "a}b", "a b", " ", "a\tb")) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> TieredCacheManager.builder(null).cache(name, CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL)))
				.withMessageContaining("cache-names");
		}
		TieredCacheManager manager = TieredCacheManager.builder(null)
			.defaults(CacheSettings.DEFAULTS.withMode(CacheMode.LOCAL))
			.build();
		try {
			assertThatIllegalArgumentException().isThrownBy(() -> manager.getCache("a:b"));
			assertThat(manager.getCache("vets")).as("created on first use").isNotNull();
			assertThat(manager.getCacheNames()).containsExactly("vets");
		}
		finally {
			manager.destroy();
		}
	}

	private static Set<Object> nestedSetBomb(int depth) {
		Set<Object> root = new HashSet<>();
		Set<Object> s1 = root;
		Set<Object> s2 = new HashSet<>();
		for (int i = 0; i < depth; i++) {
			Set<Object> t1 = new HashSet<>();
			Set<Object> t2 = new HashSet<>();
			t1.add("foo");
			s1.add(t1);
			s1.add(t2);
			s2.add(t1);
			s2.add(t2);
			s1 = t1;
			s2 = t2;
		}
		return root;
	}

	/** A stream holding only the header of a {@code long[length]}: the declared length, no elements. */
	private static byte[] hugeLongArrayHeader(int length) throws IOException {
		byte[] empty = JavaSerialization.serialize(new long[0]);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write(empty, 0, empty.length - 4);
		new DataOutputStream(bytes).writeInt(length);
		return bytes.toByteArray();
	}

}
