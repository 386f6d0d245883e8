package dev.tiercache.guard;

import java.time.Duration;

import dev.tiercache.tier.InvalidSettingException;

/**
 * How a cache's penetration guard is sized and kept: {@code tiercache.caches.<name>.guard.*}.
 *
 * @param expectedKeys how many keys the filter is sized for; more make false positives likelier than
 * {@code falsePositiveRate}
 * @param falsePositiveRate the share of absent keys the filter lets through to the loader when it holds
 * {@code expectedKeys} keys
 * @param refreshInterval how often each instance copies the filter from Redis, to answer keys that exist
 * without a Redis call
 */
public record GuardSettings(long expectedKeys, double falsePositiveRate, Duration refreshInterval) {

	/** The most keys a filter may be sized for. */
	public static final long MAX_EXPECTED_KEYS = 200_000_000L;

	/** The most bits a filter may have: a Redis string's 512 MB. */
	public static final long MAX_BITS = 1L << 32;

	/** The false-positive rate unless one is set: 1 %. */
	public static final double DEFAULT_FALSE_POSITIVE_RATE = 0.01;

	/** How often the filter is copied from Redis unless set: every 10 s. */
	public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

	/** A guard for {@code expectedKeys} keys, with the default false-positive rate and refresh interval. */
	public static GuardSettings of(long expectedKeys) {
		return new GuardSettings(expectedKeys, DEFAULT_FALSE_POSITIVE_RATE, DEFAULT_REFRESH_INTERVAL);
	}

	/**
	 * @throws InvalidSettingException naming the setting ({@code guard.expected-keys},
	 * {@code guard.false-positive-rate} or {@code guard.refresh-interval}) that is out of range
	 */
	public GuardSettings {
		if (expectedKeys < 1 || expectedKeys > MAX_EXPECTED_KEYS) {
			throw new InvalidSettingException("guard.expected-keys", expectedKeys,
					"must be from 1 to " + MAX_EXPECTED_KEYS);
		}
		if (!(falsePositiveRate >= 0.000001 && falsePositiveRate <= 0.5)) {
			throw new InvalidSettingException("guard.false-positive-rate", falsePositiveRate,
					"must be from 0.000001 to 0.5");
		}
		if (refreshInterval.compareTo(Duration.ofMillis(100)) < 0) {
			throw new InvalidSettingException("guard.refresh-interval", refreshInterval, "must be at least 100ms");
		}
		long bits = BloomShape.of(expectedKeys, falsePositiveRate).bits();
		if (bits > MAX_BITS) {
			throw new InvalidSettingException("guard.expected-keys", expectedKeys, "takes a filter of " + bits
					+ " bits at a false-positive rate of " + falsePositiveRate + ", above Redis's " + MAX_BITS
					+ " bits in a string: fewer keys, or a higher 'guard.false-positive-rate'");
		}
	}

	/** The filter's size and bits per key. */
	BloomShape shape() {
		return BloomShape.of(this.expectedKeys, this.falsePositiveRate);
	}

}
