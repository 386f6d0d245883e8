package dev.tiercache.consistency.node;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The baseline: the same reads and writes with plain Spring caching on Spring Data Redis's
 * {@code RedisCacheManager}, as most applications cache today (read: {@code @Cacheable}; write: update
 * the row, then {@code @CacheEvict}).
 */
@Component
@Profile("spring")
public class SpringMethods {

	private final VersionTable table;

	public SpringMethods(VersionTable table) {
		this.table = table;
	}

	@Cacheable(cacheNames = "v", key = "#id")
	public Versioned read(long id) {
		return this.table.read(id);
	}

	@CacheEvict(cacheNames = "v", key = "#id")
	public void writeAndEvict(long id, long version) {
		this.table.write(id, version);
	}

}
