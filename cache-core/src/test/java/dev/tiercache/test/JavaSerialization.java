package dev.tiercache.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;

/**
 * Java serialization for tests that build payloads by hand.
 */
public final class JavaSerialization {

	private JavaSerialization() {
	}

	/** The bytes {@link ObjectOutputStream} writes for the value. */
	public static byte[] serialize(Object value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

}
