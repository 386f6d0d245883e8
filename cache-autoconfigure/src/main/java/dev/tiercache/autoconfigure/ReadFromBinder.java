package dev.tiercache.autoconfigure;

import java.util.Locale;

import io.lettuce.core.ReadFrom;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code tiercache.redis.read-from} into Lettuce's {@link ReadFrom}, with the names Spring Boot
 * accepts for {@code spring.data.redis.lettuce.read-from}: {@code replica-preferred},
 * {@code lowest-latency}, {@code regex:<pattern>}, {@code subnet:<cidr>,…} and the like.
 */
final class ReadFromBinder {

	static final String PROPERTY = "tiercache.redis.read-from";

	private ReadFromBinder() {
	}

	/**
	 * @return the setting, or {@code null} when it is not set
	 * @throws InvalidTiercachePropertyException if Lettuce knows no such setting
	 */
	static @Nullable ReadFrom readFrom(@Nullable String setting) {
		if (setting == null || setting.isBlank()) {
			return null;
		}
		int colon = setting.indexOf(':');
		String name = (colon < 0) ? setting : setting.substring(0, colon);
		String canonical = name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
		try {
			return (colon < 0) ? ReadFrom.valueOf(canonical)
					: ReadFrom.valueOf(canonical + setting.substring(colon));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidTiercachePropertyException(PROPERTY, setting, "Lettuce knows no such setting ("
					+ ex.getMessage() + "); use upstream, upstream-preferred, replica, replica-preferred, any-replica, "
					+ "any, lowest-latency, regex:<pattern> or subnet:<cidr>[,<cidr>...]");
		}
	}

}
