package dev.tiercache.writebehind;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.core.ResolvableType;

import dev.tiercache.codec.JsonOrSerializedValueCodec;
import dev.tiercache.codec.SerializationAllowList;
import dev.tiercache.codec.ValueDecodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A queued call's arguments decode to their declared types, {@code null}s included. */
class ArgumentCodecTests {

	private final ArgumentCodec codec = new ArgumentCodec(
			new JsonOrSerializedValueCodec(new SerializationAllowList(List.of("dev.tiercache"))));

	record Order(long id, BigDecimal amount, List<String> lines) {
	}

	@Test
	void argumentsRoundTripAgainstTheDeclaredTypes() {
		Type[] types = { Order.class, Long.class, ResolvableType.forClassWithGenerics(List.class, Long.class).getType() };
		@Nullable Object[] arguments = { new Order(1, new BigDecimal("9.90"), List.of("a", "b")), null, List.of(3L, 4L) };
		@Nullable Object[] decoded = this.codec.decode(this.codec.encode(arguments, types, null), types);
		assertThat(decoded).containsExactly(arguments);
		assertThat(((List<?>) decoded[2]).get(0)).isInstanceOf(Long.class);
	}

	@Test
	void aCountThatDoesNotMatchTheMethodIsRefused() {
		byte[] one = this.codec.encode(new Object[] { "x" }, new Type[] { String.class }, null);
		assertThatThrownBy(() -> this.codec.decode(one, new Type[] { String.class, String.class }))
			.isInstanceOf(ValueDecodingException.class)
			.hasMessageContaining("holds 1 arguments, the method takes 2");
	}

	@Test
	void truncatedBytesAreRefusedNotMisread() {
		byte[] encoded = this.codec.encode(new Object[] { "some text" }, new Type[] { String.class }, null);
		byte[] truncated = Arrays.copyOf(encoded, encoded.length - 3);
		assertThatThrownBy(() -> this.codec.decode(truncated, new Type[] { String.class }))
			.isInstanceOf(ValueDecodingException.class);
	}

	@Test
	void aLengthLongerThanTheBytesLeftIsRefusedBeforeAnythingIsAllocated() throws IOException {
		// issue 16 item 7: a corrupt entry claiming a huge payload must fail as corrupt, not as an
		// OutOfMemoryError that the flusher rethrows on every poll of the partition
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeShort(1);
			out.writeByte(0);
			out.writeInt(Integer.MAX_VALUE);
			out.write(new byte[] { 1, 2, 3 });
		}
		assertThatThrownBy(() -> this.codec.decode(bytes.toByteArray(), new Type[] { String.class }))
			.isInstanceOf(ValueDecodingException.class)
			.hasMessageContaining("argument 1 claims " + Integer.MAX_VALUE + " bytes, but 3 are left");
	}

}
