package dev.tiercache.writebehind;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.codec.ValueDecodingException;
import dev.tiercache.internal.write.StagedWrite;

/**
 * Encodes a call's arguments for a queue entry with the application's {@link ValueCodec}, each against
 * its declared parameter type, and decodes them back to those types. Layout: the argument count, then
 * per argument a format byte ({@code -1} for {@code null}), the payload length and the payload.
 * Thread-safe.
 */
final class ArgumentCodec {

	private static final int NULL = -1;

	private final ValueCodec codec;

	ArgumentCodec(ValueCodec codec) {
		this.codec = codec;
	}

	/**
	 * @param staged the call's cache write, if any: an argument that is its value is not encoded again
	 * @throws RuntimeException if the codec cannot encode an argument
	 */
	byte[] encode(@Nullable Object[] arguments, Type[] types, @Nullable StagedWrite staged) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeShort(arguments.length);
			for (int i = 0; i < arguments.length; i++) {
				Object argument = arguments[i];
				if (argument == null) {
					out.writeByte(NULL);
					continue;
				}
				EncodedValue encoded = (staged != null) ? staged.encodingOf(argument, types[i]) : null;
				if (encoded == null) {
					encoded = this.codec.encode(argument, types[i]);
				}
				out.writeByte(encoded.format());
				out.writeInt(encoded.bytes().length);
				out.write(encoded.bytes());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decodes what {@link #encode} wrote. A length is checked against the bytes left before anything
	 * is allocated for it, so corrupt bytes never cost more memory than they take.
	 * @throws ValueDecodingException if the bytes are not arguments of these types
	 */
	@Nullable Object[] decode(byte[] encoded, Type[] types) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
			int count = in.readUnsignedShort();
			if (count != types.length) {
				throw new ValueDecodingException("the entry holds " + count + " arguments, the method takes "
						+ types.length);
			}
			@Nullable Object[] arguments = new Object[count];
			for (int i = 0; i < count; i++) {
				int format = in.readByte();
				if (format == NULL) {
					continue;
				}
				int length = in.readInt();
				if (length < 0 || length > in.available()) {
					throw new ValueDecodingException("argument " + (i + 1) + " claims " + length + " bytes, but "
							+ in.available() + " are left");
				}
				byte[] payload = new byte[length];
				in.readFully(payload);
				arguments[i] = this.codec.decode(format, payload, 0, payload.length, types[i]);
			}
			return arguments;
		}
		catch (IOException | RuntimeException ex) {
			if (ex instanceof ValueDecodingException decoding) {
				throw decoding;
			}
			throw new ValueDecodingException("corrupt arguments: " + ex, ex);
		}
	}

}
