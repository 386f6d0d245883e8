package dev.tiercache.kotlin

import dev.tiercache.annotation.CacheAside
import dev.tiercache.annotation.NeverCache
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flowOf
import java.util.concurrent.atomic.AtomicInteger

/**
 * A catalogue whose finders are suspend functions, cached with `@CacheAside`; it counts its loads.
 * Open, as Spring's class-based proxies need (the `kotlin-spring` compiler plugin opens such classes in
 * applications).
 */
open class Catalogue {

	val loads = AtomicInteger()

	@CacheAside(cache = "products")
	open suspend fun find(id: Long): String? {
		loads.incrementAndGet()
		delay(20)
		return if (id > 0) "product $id" else null
	}

	@CacheAside(cache = "products", key = "'name:' + #name", unless = "#result.startsWith('draft')")
	open suspend fun byName(name: String, language: String): String {
		loads.incrementAndGet()
		delay(5)
		return "$name ($language)"
	}

	@CacheAside(cache = "products", key = "'id:' + #id", condition = "#id > 0")
	open suspend fun keyed(id: Long): String {
		loads.incrementAndGet()
		delay(5)
		return "keyed $id"
	}

	@CacheAside(cache = "products", key = "'failing:' + #id")
	open suspend fun failing(id: Long): String {
		loads.incrementAndGet()
		delay(5)
		throw IllegalStateException("database gone")
	}

}

/** A suspend function that yields a `Flow`, which `@CacheAside` refuses when the proxy is made. */
open class FlowCatalogue {

	@CacheAside(cache = "products", key = "'flow'")
	open suspend fun flow(): Flow<String> = flowOf("a")

}

/** A token never to be cached. */
@NeverCache
class Token(val value: String)

/** A suspend function that would cache a [Token], which start-up refuses. */
open class Tokens {

	@CacheAside(cache = "tokens")
	open suspend fun token(user: String): Token = Token(user)

}
