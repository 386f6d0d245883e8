package dev.tiercache.tier;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Laying overrides over settings, the one way defaults, per-cache settings and annotations combine. */
class CacheSettingsTests {

	private static final CacheSettings.Overrides EVERYTHING = new CacheSettings.Overrides(CacheMode.REMOTE,
			Duration.ofMinutes(3), 20, Duration.ofSeconds(4), 50L, Duration.ofSeconds(5), Duration.ofSeconds(6),
			Duration.ofSeconds(7), 0.5, Duration.ofSeconds(8), 1.0, Duration.ofSeconds(9));

	@Test
	void overridingNothingKeepsEverySetting() {
		CacheSettings base = CacheSettings.DEFAULTS.with(EVERYTHING);
		assertThat(base.with(CacheSettings.Overrides.NONE)).isEqualTo(base);
	}

	@Test
	void everyOverrideReplacesItsSetting() {
		assertThat(CacheSettings.DEFAULTS.with(EVERYTHING)).isEqualTo(new CacheSettings(CacheMode.REMOTE,
				Duration.ofMinutes(3), 20, Duration.ofSeconds(4), 50, Duration.ofSeconds(5), Duration.ofSeconds(6),
				Duration.ofSeconds(7), new Freshness(0.5, Duration.ofSeconds(8), 1.0, Duration.ofSeconds(9))));
	}

	@Test
	void overridesLaidInTurnLetTheLaterWinAndKeepWhatItLeavesUnset() {
		CacheSettings.Overrides defaults = new CacheSettings.Overrides(null, Duration.ofMinutes(5), null, null, null,
				null, null, null, 0.8, null, null, null);
		CacheSettings.Overrides perCache = new CacheSettings.Overrides(null, Duration.ofMinutes(1), 0, null, null, null,
				null, null, null, Duration.ofSeconds(30), null, null);
		CacheSettings settings = CacheSettings.DEFAULTS.with(defaults).with(perCache);
		assertThat(settings.ttl()).isEqualTo(Duration.ofMinutes(1));
		assertThat(settings.ttlJitter()).isZero();
		assertThat(settings.freshness().refreshAhead()).isEqualTo(0.8);
		assertThat(settings.freshness().staleWhileRevalidate()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.nullTtl()).isEqualTo(CacheSettings.DEFAULTS.nullTtl());
	}

	@Test
	void anOutOfRangeOverrideIsRefusedNamingTheSetting() {
		CacheSettings.Overrides negativeTtl = new CacheSettings.Overrides(null, Duration.ofSeconds(-1), null, null,
				null, null, null, null, null, null, null, null);
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> CacheSettings.DEFAULTS.with(negativeTtl))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("ttl"));
		CacheSettings.Overrides refreshAtExpiry = new CacheSettings.Overrides(null, null, null, null, null, null, null,
				null, 1.0, null, null, null);
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> CacheSettings.DEFAULTS.with(refreshAtExpiry))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("refresh-ahead"));
	}

	/** Whether a cache keeps nulls is a cache's setting: an annotation's overrides keep it. */
	@Test
	void overridesKeepWhetherTheCacheRefusesNullsAndARefusedNullGetsNoTtl() {
		CacheSettings refusing = CacheSettings.DEFAULTS.withAllowNullValues(false);
		assertThat(refusing.with(EVERYTHING).allowNullValues()).isFalse();
		assertThat(refusing.jitteredTtlMillis(true)).as("a null's TTL where nulls are refused").isZero();
		assertThat(refusing.jitteredTtlMillis(false)).isPositive();
		assertThat(CacheSettings.DEFAULTS.allowNullValues()).isTrue();
		assertThat(CacheSettings.DEFAULTS.jitteredTtlMillis(true)).isPositive();
	}

}
