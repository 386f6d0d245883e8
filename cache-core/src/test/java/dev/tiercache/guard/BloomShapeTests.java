package dev.tiercache.guard;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter's shape and hashing, without Redis: the sizes the textbook formulas give, and a measured
 * false-positive rate close to the one asked for.
 */
class BloomShapeTests {

	@Test
	void tenThousandKeysAtOnePercentTakeAboutNinetySixThousandBitsAndSevenHashes() {
		BloomShape shape = BloomShape.of(10_000, 0.01);
		assertThat(shape.bits()).isBetween(95_800L, 96_000L);
		assertThat(shape.bits() % 64).isZero();
		assertThat(shape.hashes()).isEqualTo(7);
	}

	@Test
	void theMeasuredFalsePositiveRateIsCloseToTheOneAskedFor() {
		BloomShape shape = BloomShape.of(10_000, 0.01);
		LocalBits bits = LocalBits.fromRedis(new byte[0], shape.bits());
		LongStream.range(0, 10_000).forEach((id) -> bits.setAll(shape.positions("product-" + id)));

		long passed = LongStream.range(10_000, 110_000)
			.filter((id) -> bits.allSet(shape.positions("product-" + id)))
			.count();

		assertThat(passed / 100_000.0).isBetween(0.005, 0.015);
		assertThat(shape.falsePositiveRate(bits.cardinality())).isBetween(0.005, 0.015);
		assertThat(LongStream.range(0, 10_000).allMatch((id) -> bits.allSet(shape.positions("product-" + id))))
			.as("no false negative").isTrue();
	}

	@Test
	void aCopyReadFromRedisNumbersBitsAsRedisDoes() {
		// SETBIT key 0 1 and SETBIT key 9 1 leave the bytes 0x80 0x40
		LocalBits bits = LocalBits.fromRedis(new byte[] { (byte) 0x80, 0x40 }, 64);
		assertThat(bits.allSet(new long[] { 0, 9 })).isTrue();
		assertThat(bits.allSet(new long[] { 1 })).isFalse();
		assertThat(bits.allSet(new long[] { 8 })).isFalse();
		assertThat(bits.cardinality()).isEqualTo(2);
	}

}
