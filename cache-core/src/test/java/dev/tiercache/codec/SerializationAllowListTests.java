package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.management.BadAttributeValueExpException;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Sort;

import dev.tiercache.test.JavaSerialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which classes {@link SerializationAllowList} lets Java deserialization make, and the limits it reads
 * a payload under, through its own methods and through real {@link ObjectInputStream}s.
 */
class SerializationAllowListTests {

	private final SerializationAllowList allowList = new SerializationAllowList(Set.of("dev.tiercache.codec"));

	record Leaf(String name) implements Serializable {
	}

	/** A graph as deep as it is told, of nested arrays (no hash table, so only the filter bounds it). */
	private static Object[] nested(int depth) {
		Object[] root = new Object[1];
		Object[] current = root;
		for (int i = 1; i < depth; i++) {
			Object[] next = new Object[1];
			current[0] = next;
			current = next;
		}
		current[0] = "leaf";
		return root;
	}

	@Test
	void theJdkValuePackagesArePermittedButNotTheirSubPackages() {
		assertThat(this.allowList.isAllowed(String.class)).isTrue();
		assertThat(this.allowList.isAllowed(ArrayList.class)).isTrue();
		assertThat(this.allowList.isAllowed(UUID.class)).isTrue();
		assertThat(this.allowList.isAllowed(LocalDate.class)).isTrue();
		assertThat(this.allowList.isAllowed(BigDecimal.class)).isTrue();
		assertThat(this.allowList.isAllowed(SerializedLambda.class)).as("java.lang.invoke").isFalse();
		assertThat(this.allowList.isAllowed(Proxy.class)).as("java.lang.reflect").isFalse();
	}

	@Test
	void classesOutsideThePermittedPackagesAreRefused() {
		assertThat(this.allowList.isAllowed(BadAttributeValueExpException.class)).isFalse();
		assertThat(this.allowList.isAllowed(ByteBuffer.class)).isFalse();
		assertThat(this.allowList.isAllowed(JavaSerialization.class)).as("dev.tiercache.test").isFalse();
	}

	@Test
	void aGivenPackageCoversItsSubPackagesButNotAPackageThatMerelySharesItsName() {
		assertThat(new SerializationAllowList(Set.of("dev.tiercache")).isAllowed(Leaf.class)).isTrue();
		assertThat(new SerializationAllowList(Set.of("dev.tiercache.co")).isAllowed(Leaf.class)).isFalse();
		assertThat(new SerializationAllowList(Set.of("dev.tiercache.codec.Leaf")).isAllowed(Leaf.class)).isFalse();
	}

	@Test
	void givenPackagesAreTrimmedAndMayEndWithADot() {
		assertThat(new SerializationAllowList(Set.of(" dev.tiercache.codec ")).isAllowed(Leaf.class)).isTrue();
		assertThat(new SerializationAllowList(Set.of("dev.tiercache.codec.")).isAllowed(Leaf.class)).isTrue();
	}

	@Test
	void aBlankPackageAllowsNothingMore() {
		SerializationAllowList blank = new SerializationAllowList(List.of("", "  "));
		assertThat(blank.isAllowed(Leaf.class)).isFalse();
		assertThat(blank.isAllowed(BadAttributeValueExpException.class)).isFalse();
	}

	@Test
	void arraysAreJudgedByTheirComponentClass() {
		assertThat(this.allowList.isAllowed(int[].class)).isTrue();
		assertThat(this.allowList.isAllowed(byte[][].class)).isTrue();
		assertThat(this.allowList.isAllowed(String[][].class)).isTrue();
		assertThat(this.allowList.isAllowed(Leaf[].class)).isTrue();
		assertThat(this.allowList.isAllowed(BadAttributeValueExpException[][].class)).isFalse();
	}

	@Test
	void springDataDomainTypesArePermittedWithoutBeingListed() {
		SerializationAllowList none = new SerializationAllowList(List.of());
		assertThat(none.isAllowed(PageImpl.class)).isTrue();
		assertThat(none.isAllowed(Sort.Order.class)).isTrue();
	}

	@Test
	void theListOfPackagesIsCopied() {
		List<String> packages = new ArrayList<>(List.of("com.example"));
		SerializationAllowList copied = new SerializationAllowList(packages);
		packages.add("dev.tiercache.codec");
		assertThat(copied.isAllowed(Leaf.class)).isFalse();
	}

	@Test
	void theFilterRefusesGraphsDeeperOrWithMoreReferencesThanTheLimits() {
		assertThat(this.allowList.checkInput(info(String.class, 0, SerializationAllowList.MAX_DEPTH, 1)))
			.isEqualTo(ObjectInputFilter.Status.ALLOWED);
		assertThat(this.allowList.checkInput(info(String.class, 0, SerializationAllowList.MAX_DEPTH + 1, 1)))
			.isEqualTo(ObjectInputFilter.Status.REJECTED);
		assertThat(this.allowList.checkInput(info(String.class, 0, 1, SerializationAllowList.MAX_REFERENCES)))
			.isEqualTo(ObjectInputFilter.Status.ALLOWED);
		assertThat(this.allowList.checkInput(info(String.class, 0, 1, SerializationAllowList.MAX_REFERENCES + 1)))
			.isEqualTo(ObjectInputFilter.Status.REJECTED);
		assertThat(this.allowList.checkInput(info(null, 0, 1, 1))).isEqualTo(ObjectInputFilter.Status.UNDECIDED);
		assertThat(this.allowList.checkInput(info(BadAttributeValueExpException.class, 0, 1, 1)))
			.isEqualTo(ObjectInputFilter.Status.REJECTED);
	}

	@Test
	void aPayloadFilterRefusesAnArrayLongerThanThePayloadHasBytes() {
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(100);
		assertThat(filter.checkInput(info(byte[].class, 100, 1, 1))).isEqualTo(ObjectInputFilter.Status.ALLOWED);
		assertThat(filter.refusal()).isNull();
		assertThat(filter.checkInput(info(byte[].class, 101, 1, 1))).isEqualTo(ObjectInputFilter.Status.REJECTED);
		assertThat(filter.refusal()).isEqualTo("an array of 101 elements in a payload of 100 bytes");
	}

	@Test
	void aPayloadFilterRemembersTheFirstThingItRefused() {
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(100);
		filter.checkInput(info(BadAttributeValueExpException.class, 0, 1, 1));
		filter.checkInput(info(String.class, 0, SerializationAllowList.MAX_DEPTH + 1, 1));
		assertThat(filter.refusal()).isEqualTo(
				"class " + BadAttributeValueExpException.class.getName() + ", outside the allow-list");
	}

	@Test
	void aSmallPayloadThatDeclaresAHugeArrayIsRefusedBeforeTheArrayIsMade() throws IOException {
		byte[] payload = JavaSerialization.serialize(new byte[4]);
		// the array's length is the int before its four elements, at the end of the stream
		ByteBuffer.wrap(payload).putInt(payload.length - 8, 1_000_000_000);
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(payload.length);
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
			in.setObjectInputFilter(filter);
			assertThatExceptionOfType(InvalidClassException.class).isThrownBy(in::readObject);
		}
		assertThat(filter.refusal()).isEqualTo("an array of 1000000000 elements in a payload of " + payload.length + " bytes");
	}

	@Test
	void aGraphOneLevelDeeperThanTheLimitIsRefusedWhenRead() throws Exception {
		byte[] atTheLimit = JavaSerialization.serialize(nested((int) SerializationAllowList.MAX_DEPTH));
		byte[] deeper = JavaSerialization.serialize(nested((int) SerializationAllowList.MAX_DEPTH + 1));
		assertThat(read(atTheLimit).refusal()).isNull();
		assertThat(read(deeper).refusal()).isEqualTo("an object graph deeper than " + SerializationAllowList.MAX_DEPTH);
	}

	@Test
	void theCodecNeitherStoresNorReadsAGraphDeeperThanTheLimit() {
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(this.allowList);
		Object[] deep = nested((int) SerializationAllowList.MAX_DEPTH + 5);
		assertThatExceptionOfType(ValueEncodingException.class).isThrownBy(() -> codec.encode(deep, Object[].class))
			.withMessageContaining("deeper than " + SerializationAllowList.MAX_DEPTH);
		byte[] payload = JavaSerialization.serialize(deep);
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> codec.decode(JsonOrSerializedValueCodec.SERIALIZED, payload, 0, payload.length,
					Object[].class))
			.withMessageContaining("deeper than " + SerializationAllowList.MAX_DEPTH);
	}

	@Test
	void theCodecDoesNotStoreAValueThatHoldsARefusedClassDeepInside() {
		JsonOrSerializedValueCodec codec = new JsonOrSerializedValueCodec(
				new SerializationAllowList(Set.of("com.example")));
		List<Object> value = new ArrayList<>(List.of("fine", List.of(new Leaf("refused"))));
		assertThatExceptionOfType(ValueEncodingException.class).isThrownBy(() -> codec.encode(value, Object.class))
			.withMessageContaining("class " + Leaf.class.getName() + ", outside the allow-list");
	}

	private SerializationAllowList.PayloadFilter read(byte[] payload) throws IOException {
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(payload.length);
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
			in.setObjectInputFilter(filter);
			in.readObject();
		}
		catch (InvalidClassException | ClassNotFoundException ex) {
			// refused: the filter says why
		}
		return filter;
	}

	private static ObjectInputFilter.FilterInfo info(@Nullable Class<?> type, long arrayLength, long depth,
			long references) {
		return new ObjectInputFilter.FilterInfo() {

			@Override
			public @Nullable Class<?> serialClass() {
				return type;
			}

			@Override
			public long arrayLength() {
				return arrayLength;
			}

			@Override
			public long depth() {
				return depth;
			}

			@Override
			public long references() {
				return references;
			}

			@Override
			public long streamBytes() {
				return 0;
			}

		};
	}

}
