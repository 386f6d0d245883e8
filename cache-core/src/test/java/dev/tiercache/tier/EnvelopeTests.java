package dev.tiercache.tier;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EnvelopeTests {

	@Test
	void frameThenReadKeepsEveryField() {
		byte[] framed = Envelope.frame(new EncodedValue(1, new byte[] { 5, 6, 7 }), 1000L, 2000L, 42L, null);
		Envelope envelope = Envelope.read(framed);
		assertThat(envelope.nullMarker()).isFalse();
		assertThat(envelope.payloadFormat()).isEqualTo(1);
		assertThat(envelope.writtenAt()).isEqualTo(1000L);
		assertThat(envelope.softExpiresAt()).isEqualTo(2000L);
		assertThat(envelope.loadMillis()).isEqualTo(42);
		assertThat(envelope.payloadLength()).isEqualTo(3);
		assertThat(framed[envelope.payloadOffset()]).isEqualTo((byte) 5);
		assertThat(envelope.typeHint()).isNull();
	}

	@Test
	void aTypeHintIsKeptBeforeThePayload() {
		String hint = "java.util.List<dev.shop.Bücher>";
		byte[] framed = Envelope.frame(new EncodedValue(0, new byte[] { 5, 6, 7 }, hint), 1000L, 2000L, 42L, null);
		Envelope envelope = Envelope.read(framed);
		assertThat(envelope.typeHint()).isEqualTo(hint);
		assertThat(envelope.payloadFormat()).isZero();
		assertThat(envelope.softExpiresAt()).isEqualTo(2000L);
		assertThat(envelope.payloadLength()).isEqualTo(3);
		assertThat(framed[envelope.payloadOffset()]).isEqualTo((byte) 5);
	}

	/** Bytes as a release before type hints wrote them, spelled out: they read as they did. */
	@Test
	void anEntryWrittenBeforeTypeHintsReadsAsBefore() {
		byte[] framed = { 1, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 'x', 'y' };
		Envelope envelope = Envelope.read(framed);
		assertThat(envelope.typeHint()).isNull();
		assertThat(envelope.payloadFormat()).isEqualTo(1);
		assertThat(envelope.writtenAt()).isEqualTo(1L);
		assertThat(envelope.payloadOffset()).isEqualTo(Envelope.HEADER_SIZE);
		assertThat(envelope.payloadLength()).isEqualTo(2);
	}

	@Test
	void aTypeHintRunningPastTheEntryIsRefused() {
		byte[] framed = Envelope.frame(new EncodedValue(0, new byte[] { 5 }, "dev.shop.Book"), 1L, 2L, 3L, null);
		byte[] truncated = Arrays.copyOf(framed, Envelope.HEADER_SIZE + 4);
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(() -> Envelope.read(truncated))
			.withMessageContaining("type hint");
		byte[] headerOnly = Arrays.copyOf(framed, Envelope.HEADER_SIZE + 1);
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(() -> Envelope.read(headerOnly))
			.withMessageContaining("type hint");
	}

	@Test
	void nullMarkerHasNoPayload() {
		Envelope envelope = Envelope.read(Envelope.frameNull(1L, 2L, 3L, null));
		assertThat(envelope.nullMarker()).isTrue();
		assertThat(envelope.payloadLength()).isZero();
	}

	@Test
	void otherVersionIsRefused() {
		byte[] framed = Envelope.frameNull(1L, 2L, 3L, null);
		framed[0] = 9;
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(() -> Envelope.read(framed))
			.withMessageContaining("envelope version 9");
	}

	@Test
	void truncatedEntryIsRefused() {
		assertThatExceptionOfType(ValueDecodingException.class).isThrownBy(() -> Envelope.read(new byte[] { 1, 0 }))
			.withMessageContaining("shorter than");
	}

	@Test
	void formatOutOfRangeIsRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> new EncodedValue(16, new byte[0]));
	}

}
