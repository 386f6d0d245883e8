package dev.tiercache.tier;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.codec.ValueDecodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Issue 19: values whose encoding reaches the cache's compression threshold are stored in Redis
 * compressed (LZ4) when that saves an eighth, and read back equal on another instance; smaller values,
 * values that do not compress, and caches with the threshold 0 are stored as before, and entries stored
 * uncompressed read as before. Real Redis; the stored bytes are read raw.
 */
class CompressionTests {

	private static final String CACHE = "pages";

	private final TierFixture fixture = new TierFixture();

	record Page(List<String> lines) {
	}

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	private TieredCache instance(int threshold) {
		return this.fixture.manager(CACHE, (settings) -> settings.withCompressionThreshold(threshold))
			.getTieredCache(CACHE);
	}

	@Test
	void aValueFromTheThresholdIsStoredCompressedAndReadsBackEqualElsewhere() {
		Page page = compressiblePage(40_000);
		instance(16 * 1024).put("large", page);
		byte[] stored = this.fixture.rawGet(this.fixture.valueKey(CACHE, "large"));
		Envelope envelope = Envelope.read(stored);
		assertThat(envelope.compressed()).as("stored compressed").isTrue();
		assertThat(stored.length).as("stored bytes of a %d-character page", 40_000).isLessThan(40_000 / 2);
		assertThat(instance(16 * 1024).get("large", Page.class)).isEqualTo(page);
		assertThat(instance(0).get("large", Page.class)).as("read by an instance that compresses nothing")
			.isEqualTo(page);
	}

	@Test
	void valuesBelowTheThresholdThatDoNotCompressOrOfACacheWithoutCompressionAreStoredAsBefore() {
		TieredCache cache = instance(16 * 1024);
		cache.put("small", compressiblePage(8_000));
		cache.put("noise", noisePage(40_000));
		instance(0).put("off", compressiblePage(40_000));
		for (String key : List.of("small", "noise", "off")) {
			Envelope envelope = Envelope.read(this.fixture.rawGet(this.fixture.valueKey(CACHE, key)));
			assertThat(envelope.compressed()).as("%s stored compressed", key).isFalse();
		}
		assertThat(instance(16 * 1024).get("off", Page.class)).isEqualTo(compressiblePage(40_000));
		assertThat(instance(16 * 1024).get("noise", Page.class)).isEqualTo(noisePage(40_000));
	}

	@Test
	void aCorruptCompressedEntryIsAMissAndIsDeleted() {
		TieredCache cache = instance(16 * 1024);
		cache.put("large", compressiblePage(40_000));
		String key = this.fixture.valueKey(CACHE, "large");
		byte[] stored = this.fixture.rawGet(key);
		Envelope envelope = Envelope.read(stored);
		for (int i = envelope.payloadOffset() + 4; i < stored.length; i++) {
			stored[i] = (byte) 0xFF;
		}
		this.fixture.rawSet(key, stored);
		assertThat(instance(16 * 1024).get("large", Page.class)).isNull();
		assertThat(this.fixture.rawGet(key)).as("the corrupt entry").isNull();
	}

	@Test
	void aCompressedPayloadAnnouncingMoreThanTheLimitIsRefusedBeforeAnythingIsAllocated() {
		byte[] compressed = PayloadCompression.compress(compressiblePage(40_000).toString().getBytes());
		assertThat(compressed).isNotNull();
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> PayloadCompression.decompress(compressed, 0, compressed.length, 1024))
			.withMessageContaining("over the limit of 1024");
		compressed[0] = (byte) 0x7F;
		assertThatExceptionOfType(ValueDecodingException.class)
			.isThrownBy(() -> PayloadCompression.decompress(compressed, 0, compressed.length, Integer.MAX_VALUE - 8))
			.withMessageContaining("Compressed payload");
	}

	@Test
	void aCompressedFrameKeepsItsTypeHint() {
		byte[] payload = compressiblePage(40_000).toString().getBytes();
		byte[] compressed = PayloadCompression.compress(payload);
		Envelope envelope = Envelope.read(Envelope.frameCompressed(new EncodedValue(0, payload, "dev.x.Page"),
				compressed, 1L, 2L, 3L, null));
		assertThat(envelope.compressed()).isTrue();
		assertThat(envelope.typeHint()).isEqualTo("dev.x.Page");
		assertThat(PayloadCompression.decompress(envelope.source(), envelope.payloadOffset(),
				envelope.payloadLength(), payload.length)).isEqualTo(payload);
	}

	/** Lines of words from a small vocabulary, as text and JSON are: about {@code characters} long. */
	private static Page compressiblePage(int characters) {
		SplittableRandom random = new SplittableRandom(characters);
		String[] words = { "spice", "desert", "water", "house", "empire", "sand", "guild", "planet" };
		return page(characters, () -> words[random.nextInt(words.length)]);
	}

	/** Lines of random hexadecimal, which LZ4 cannot shrink by an eighth. */
	private static Page noisePage(int characters) {
		SplittableRandom random = new SplittableRandom(characters);
		return page(characters, () -> Long.toHexString(random.nextLong()));
	}

	private static Page page(int characters, Supplier<String> words) {
		List<String> lines = new ArrayList<>();
		int length = 0;
		while (length < characters) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < 8; i++) {
				line.append(words.get()).append(' ');
			}
			lines.add(line.toString());
			length += line.length();
		}
		return new Page(lines);
	}

}
