package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SerializedBytes} reads what {@link DataOutputStream} writes, within its slice of the payload,
 * and refuses to read or skip past the slice's end.
 */
class SerializedBytesTests {

	private static byte[] written(DataWriter writer) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			writer.write(out);
		}
		return bytes.toByteArray();
	}

	@Test
	void readsBigEndianPrimitivesAndUtfStringsAsDataOutputStreamWritesThem() throws IOException {
		byte[] bytes = written((out) -> {
			out.writeByte(0x7f);
			out.writeShort(0xaced);
			out.writeInt(0x7e0001);
			out.writeLong(-2L);
			out.writeUTF("java.util.HashSet");
			out.writeUTF("skipped");
		});
		SerializedBytes in = new SerializedBytes(bytes, 0, bytes.length);
		assertThat(in.readByte()).isEqualTo((byte) 0x7f);
		assertThat(in.readUnsignedShort()).isEqualTo(0xaced);
		assertThat(in.readInt()).isEqualTo(0x7e0001);
		assertThat(in.readLong()).isEqualTo(-2L);
		assertThat(in.readUtf()).isEqualTo("java.util.HashSet");
		in.skipUtf();
		assertThat(in.remaining()).isZero();
	}

	@Test
	void peekDoesNotConsume() {
		SerializedBytes in = new SerializedBytes(new byte[] { 1, 2 }, 0, 2);
		assertThat(in.peek()).isEqualTo((byte) 1);
		assertThat(in.readByte()).isEqualTo((byte) 1);
		assertThat(in.remaining()).isOne();
	}

	@Test
	void readsOnlyItsSliceOfTheArray() {
		SerializedBytes in = new SerializedBytes(new byte[] { 9, 0, 5, 9 }, 1, 2);
		assertThat(in.readUnsignedShort()).isEqualTo(5);
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(in::peek)
			.withMessageContaining("its end before the object is complete");
	}

	@Test
	void aValueThatRunsPastTheEndIsRefusedBeforeItIsRead() {
		SerializedBytes in = new SerializedBytes(new byte[] { 0, 1, 2 }, 0, 3);
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(in::readInt)
			.withMessageContaining("a stream that cannot be followed");
	}

	@Test
	void aStringLongerThanWhatIsLeftIsRefused() throws IOException {
		byte[] bytes = written((out) -> out.writeShort(100));
		SerializedBytes in = new SerializedBytes(bytes, 0, bytes.length);
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(in::readUtf)
			.withMessageContaining("its end within a value");
	}

	@Test
	void aNegativeOrOversizedSkipIsRefusedAndMovesNothing() {
		SerializedBytes in = new SerializedBytes(new byte[4], 0, 4);
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(() -> in.skip(-1));
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(() -> in.skip(Long.MAX_VALUE));
		assertThat(in.remaining()).isEqualTo(4);
		in.skip(4);
		assertThat(in.remaining()).isZero();
	}

	@FunctionalInterface
	private interface DataWriter {

		void write(DataOutputStream out) throws IOException;

	}

}
