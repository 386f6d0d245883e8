package dev.tiercache.autoconfigure;

import dev.tiercache.tier.TieredCacheManager;

/**
 * Customizes the auto-configured {@link TieredCacheManager} before it is built: declare beans of this
 * type to add caches, set executors or change what the {@code tiercache.*} properties set. They are
 * applied after the properties, in {@link org.springframework.core.Ordered order}, so a later
 * customizer wins over an earlier one and over the properties. Not applied to a cache manager the
 * application defines itself.
 */
@FunctionalInterface
public interface TieredCacheManagerCustomizer {

	/**
	 * Customizes the builder of the cache manager.
	 * @param builder the builder, holding what the properties set
	 */
	void customize(TieredCacheManager.Builder builder);

}
