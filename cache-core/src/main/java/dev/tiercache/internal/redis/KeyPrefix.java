package dev.tiercache.internal.redis;

import org.jspecify.annotations.Nullable;

/**
 * The rule for the prefix of every Redis key of an application: non-blank, and free of {@code :},
 * which separates the parts of a key (with it, the prefixes {@code app} and {@code app:lock} would
 * share keys: the values of one would be the leases of the other), and of <code>{</code> and
 * <code>}</code>, which mark hash tags.
 */
public final class KeyPrefix {

	private KeyPrefix() {
	}

	/**
	 * What is wrong with a prefix, naming where it is set, or {@code null} if it follows the rule.
	 */
	public static @Nullable String problem(String prefix) {
		if (prefix.isBlank() || prefix.indexOf(':') >= 0 || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
			return "must be non-blank and free of ':' (it separates the parts of Redis keys: the prefixes 'app' and"
					+ " 'app:lock' would share keys), '{' and '}' (they mark hash tags); set it with"
					+ " 'tiercache.key-prefix' or TieredCacheManager.Builder.keyPrefix";
		}
		return null;
	}

}
