package dev.tiercache.kotlin

import dev.tiercache.interceptor.TiercacheAdvisor
import dev.tiercache.interceptor.TiercacheMethodValidator
import dev.tiercache.interceptor.TiercacheOperationSource
import dev.tiercache.test.TestManagers
import dev.tiercache.tier.CacheSettings
import dev.tiercache.tier.TieredCacheManager
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatException
import org.assertj.core.api.Assertions.assertThatIllegalStateException
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.springframework.aop.framework.ProxyFactory

/**
 * Issue 20, item 7: `@CacheAside` on Kotlin suspend functions, through Spring AOP's proxies as an
 * application has them. A key is loaded once and later calls are answered from the cache; `null` is
 * cached; an exception reaches the caller and caches nothing; key expressions name the parameters and
 * `unless` sees the value; callers on two instances (managers on one Redis) load a key once.
 */
class SuspendCacheAsideTests {

	private val managers = TestManagers()

	@AfterEach
	fun close() {
		managers.close()
	}

	@Test
	fun `a key is loaded once and later calls are answered from the cache`() = runBlocking<Unit> {
		val manager = managers.local("products")
		val target = Catalogue()
		val catalogue = proxy(manager, target)

		assertThat(catalogue.find(1)).isEqualTo("product 1")
		assertThat(catalogue.find(1)).isEqualTo("product 1")

		assertThat(target.loads).hasValue(1)
		val cache = manager.getTieredCache("products")
		assertThat(cache.stats().localHits()).isEqualTo(1)
		assertThat(cache.get(1L, String::class.java)).`as`("keyed by the id, not the continuation")
			.isEqualTo("product 1")
	}

	@Test
	fun `null is cached and an exception caches nothing`() = runBlocking<Unit> {
		val target = Catalogue()
		val catalogue = proxy(managers.local("products"), target)

		assertThat(catalogue.find(-1)).isNull()
		assertThat(catalogue.find(-1)).isNull()
		assertThat(target.loads).hasValue(1)

		repeat(2) {
			assertThatIllegalStateException().isThrownBy { runBlocking { catalogue.failing(2) } }
				.withMessage("database gone")
		}
		assertThat(target.loads).hasValue(3)
	}

	@Test
	fun `key expressions name the parameters and unless sees the value`() = runBlocking<Unit> {
		val manager = managers.local("products")
		val target = Catalogue()
		val catalogue = proxy(manager, target)

		assertThat(catalogue.byName("lamp", "en")).isEqualTo("lamp (en)")
		assertThat(catalogue.byName("lamp", "fr")).`as`("one key for both languages").isEqualTo("lamp (en)")
		assertThat(catalogue.byName("draft", "en")).isEqualTo("draft (en)")
		assertThat(catalogue.byName("draft", "en")).isEqualTo("draft (en)")

		assertThat(target.loads).`as`("drafts are not cached").hasValue(3)
		assertThat(manager.getTieredCache("products").get("name:lamp", String::class.java)).isEqualTo("lamp (en)")
	}

	@Test
	fun `key expressions and conditions see the parameters without the continuation`() = runBlocking<Unit> {
		val manager = managers.local("products")
		val target = Catalogue()
		val catalogue = proxy(manager, target)

		assertThat(catalogue.keyed(5)).isEqualTo("keyed 5")
		assertThat(catalogue.keyed(5)).isEqualTo("keyed 5")
		assertThat(catalogue.keyed(-5)).isEqualTo("keyed -5")
		assertThat(catalogue.keyed(-5)).isEqualTo("keyed -5")

		assertThat(target.loads).`as`("5 cached under its key; -5 left out by the condition").hasValue(3)
		assertThat(manager.getTieredCache("products").get("id:5", String::class.java)).isEqualTo("keyed 5")
	}

	@Test
	fun `a suspend function that yields a Flow is refused naming it`() {
		val manager = managers.local("products")
		val factory = ProxyFactory(FlowCatalogue())
		factory.isProxyTargetClass = true
		factory.addAdvisor(TiercacheAdvisor(TiercacheOperationSource({ manager }, null)))

		assertThatException().isThrownBy { factory.proxy }
			.withStackTraceContaining("FlowCatalogue.flow")
			.withStackTraceContaining("kotlinx.coroutines.flow.Flow")
	}

	@Test
	fun `a suspend function that would cache a type marked NeverCache is refused`() {
		val validator = TiercacheMethodValidator()

		assertThatException().isThrownBy { validator.postProcessBeforeInitialization(Tokens(), "tokens") }
			.withMessageContaining("Token")
			.withMessageContaining("NeverCache")
	}

	@Test
	fun `callers on two instances load a key once`() = runBlocking<Unit> {
		val target = Catalogue()
		val one = proxy(managers.redis(CacheSettings.DEFAULTS, "products"), target)
		val other = proxy(managers.redis(CacheSettings.DEFAULTS, "products"), target)

		val loading = async { one.find(7) }
		val waiting = async { other.find(7) }

		assertThat(loading.await()).isEqualTo("product 7")
		assertThat(waiting.await()).isEqualTo("product 7")
		assertThat(target.loads).`as`("one load across both instances").hasValue(1)
	}

	private fun proxy(manager: TieredCacheManager, target: Catalogue): Catalogue {
		val factory = ProxyFactory(target)
		factory.isProxyTargetClass = true
		factory.addAdvisor(TiercacheAdvisor(TiercacheOperationSource({ manager }, null)))
		return factory.proxy as Catalogue
	}

}
