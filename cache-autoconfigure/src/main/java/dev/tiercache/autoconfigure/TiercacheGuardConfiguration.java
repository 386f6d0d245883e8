package dev.tiercache.autoconfigure;

import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.transaction.PlatformTransactionManager;

import dev.tiercache.autoconfigure.guard.GuardBuilds;
import dev.tiercache.guard.PenetrationGuards;
import dev.tiercache.tier.TieredCacheManager;

/**
 * The penetration guards, when a cache has one ({@code tiercache.caches.<name>.guard.expected-keys}):
 * the guards of the cache manager's caches, and the builds of their filters from their
 * {@code @ExistingKeys} sources.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(TiercacheGuardConfiguration.OnGuardedCaches.class)
final class TiercacheGuardConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	PenetrationGuards tiercachePenetrationGuards(TiercacheProperties properties, CacheManager cacheManager) {
		if (!(cacheManager instanceof TieredCacheManager manager)) {
			throw new IllegalStateException("A penetration guard ('tiercache.caches.<name>.guard') needs a "
					+ "TieredCacheManager as the application's CacheManager; remove the application's own CacheManager "
					+ "bean or build it with TieredCacheManager.builder(…)");
		}
		return new PenetrationGuards(manager, CacheSettingsBinder.declaredGuards(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	GuardBuilds tiercacheGuardBuilds(ListableBeanFactory beanFactory, PenetrationGuards guards,
			ObjectProvider<PlatformTransactionManager> transactionManager) {
		return new GuardBuilds(beanFactory, guards, transactionManager);
	}

	/**
	 * Matches when a declared cache sets {@code guard.expected-keys} (or the defaults do, which the guards'
	 * binding then refuses, naming the property).
	 */
	static final class OnGuardedCaches extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Binder binder = Binder.get(context.getEnvironment());
			Map<String, CacheSpec> caches = binder
				.bind("tiercache.caches", Bindable.mapOf(String.class, CacheSpec.class))
				.orElse(Map.of());
			boolean guarded = binder.bind("tiercache.defaults.guard.expected-keys", Long.class).isBound()
					|| caches.values().stream().anyMatch((spec) -> spec.getGuard().getExpectedKeys() != null);
			return guarded ? ConditionOutcome.match("a cache sets guard.expected-keys")
					: ConditionOutcome.noMatch("no cache sets guard.expected-keys");
		}

	}

}
