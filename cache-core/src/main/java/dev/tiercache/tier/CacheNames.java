package dev.tiercache.tier;

/**
 * The rule for cache names: non-blank, and free of the characters that delimit Redis keys
 * ({@code :}, <code>{</code>, <code>}</code>) and of whitespace. Without it, cache {@code a} with key
 * {@code b:c} and cache {@code a:b} with key {@code c} would share an entry.
 */
final class CacheNames {

	private CacheNames() {
	}

	/**
	 * @throws InvalidSettingException ({@code cache-names}) if the name breaks the rule
	 */
	static void check(String name) {
		if (name.isBlank()) {
			throw new InvalidSettingException("cache-names", name, "must not be blank");
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == ':' || c == '{' || c == '}' || Character.isWhitespace(c)) {
				throw new InvalidSettingException("cache-names", name,
						"must not contain ':', '{', '}' or whitespace (they delimit Redis keys)");
			}
		}
	}

}
