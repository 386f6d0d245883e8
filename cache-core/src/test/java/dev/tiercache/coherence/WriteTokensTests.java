package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WriteTokens}: the 64-bit FNV-1a hash of framed bytes (checked against the published test
 * vectors, so that tokens of bytes written by another version of Tiercache still match), never
 * {@link WriteTokens#NONE}, and different for bytes that differ.
 */
class WriteTokensTests {

	@Test
	void aTokenIsTheFnv1aHashOfTheBytes() {
		assertThat(WriteTokens.of(new byte[0])).isEqualTo(0xcbf29ce484222325L);
		assertThat(WriteTokens.of(bytes("a"))).isEqualTo(0xaf63dc4c8601ec8cL);
		assertThat(WriteTokens.of(bytes("foobar"))).isEqualTo(0x85944171f73967e8L);
	}

	@Test
	void bytesAboveSevenBitsAreHashedUnsigned() {
		assertThat(WriteTokens.of(new byte[] { (byte) 0xff })).isEqualTo(0xaf64724c8602eb6eL);
		assertThat(WriteTokens.of(new byte[] { (byte) 0x80, 0 })).isEqualTo(0x09e58807b65d046dL);
	}

	@Test
	void tokensOfDifferentBytesDifferAndNoneIsTheTokenOfNothingWritten() {
		Set<Long> tokens = new HashSet<>();
		int written = 0;
		for (int i = 0; i < 10_000; i++) {
			long token = WriteTokens.of(bytes("value " + i));
			assertThat(token).isNotEqualTo(WriteTokens.NONE);
			tokens.add(token);
			written++;
		}
		// the same value in a longer frame, and a frame with its bytes in another order
		tokens.add(WriteTokens.of(bytes("value 1 ")));
		tokens.add(WriteTokens.of(bytes("eulav 1")));
		assertThat(tokens).hasSize(written + 2);
	}

	@Test
	void theSameBytesAlwaysGetTheSameToken() {
		byte[] framed = bytes("framed value");
		assertThat(WriteTokens.of(framed)).isEqualTo(WriteTokens.of(framed.clone()));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
