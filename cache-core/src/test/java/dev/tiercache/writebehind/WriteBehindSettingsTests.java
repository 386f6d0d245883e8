package dev.tiercache.writebehind;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.tiercache.tier.InvalidSettingException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Out-of-range write-behind settings are refused, naming the setting. */
class WriteBehindSettingsTests {

	private static final WriteBehindSettings D = WriteBehindSettings.DEFAULTS;

	@Test
	void batchSizeMustBeBetweenOneAndOneThousand() {
		assertThatThrownBy(() -> new WriteBehindSettings(1001, D.flushInterval(), D.concurrency(), D.partitions(),
				D.maxAttempts(), D.backoff(), D.maxBackoff(), D.claimIdle(), D.drainTimeout(), D.durability(),
				D.durabilityReplicas(), D.durabilityTimeout()))
			.isInstanceOf(InvalidSettingException.class)
			.hasMessageContaining("write-behind.batch-size");
	}

	@Test
	void claimIdleMustBePositive() {
		assertThatThrownBy(() -> new WriteBehindSettings(D.batchSize(), D.flushInterval(), D.concurrency(),
				D.partitions(), D.maxAttempts(), D.backoff(), D.maxBackoff(), Duration.ZERO, D.drainTimeout(),
				D.durability(), D.durabilityReplicas(), D.durabilityTimeout()))
			.isInstanceOf(InvalidSettingException.class)
			.hasMessageContaining("write-behind.claim-idle");
	}

}
