package dev.tiercache.tier;

import dev.tiercache.internal.redis.RedisKeys;

/**
 * Checks cache names against the rule of the Redis key layout ({@link RedisKeys#cacheNameProblem}),
 * reporting a name that breaks it as an invalid {@code cache-names} setting.
 */
final class CacheNames {

	private CacheNames() {
	}

	/**
	 * @throws InvalidSettingException ({@code cache-names}) if the name breaks the rule
	 */
	static void check(String name) {
		String problem = RedisKeys.cacheNameProblem(name);
		if (problem != null) {
			throw new InvalidSettingException("cache-names", name, problem);
		}
	}

}
