package dev.tiercache.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.LoggingCacheErrorHandler;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Issue 7, a drop-in for Spring applications: caches created on first use, {@code #result} as Spring
 * binds it, reactive and generic return types with plain {@code @Cacheable}, and recursion. Two
 * application contexts on one Redis are two instances.
 */
class SpringDropInIntegrationTests {

	private final TestContexts contexts = new TestContexts();

	private final AtomicInteger loads = new AtomicInteger();

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		return this.contexts.start(ContractApplication.class, Map.of("loads", this.loads), properties);
	}

	record Vet(long id, String name) {
	}

	@Test
	void undeclaredCacheIsCreatedOnFirstUseWithTheDefaults() {
		ConfigurableApplicationContext first = start("tiercache.defaults.ttl=3m");
		ConfigurableApplicationContext second = start("tiercache.defaults.ttl=3m");
		assertThat(first.getBean(VetService.class).vets()).containsExactly(new Vet(1, "James"));
		assertThat(second.getBean(VetService.class).vets()).containsExactly(new Vet(1, "James"));
		assertThat(this.loads).as("the second instance read Redis").hasValue(1);
		TieredCacheManager manager = first.getBean(TieredCacheManager.class);
		assertThat(manager.getCacheNames()).contains("vets");
		assertThat(manager.getTieredCache("vets").settings().ttl()).hasMinutes(3);
	}

	@Test
	void undeclaredCacheFailsTheCallWhenDynamicCachesAreOff() {
		VetService service = start("tiercache.dynamic=false").getBean(VetService.class);
		assertThatIllegalArgumentException().isThrownBy(service::vets)
			.withMessageContaining("Cannot find cache named 'vets'")
			.withMessageContaining("tiercache.dynamic=true");
	}

	@Test
	void unlessSeesTheValueInsideAnOptionalAsSpringDoes() {
		VetService service = start().getBean(VetService.class);
		assertThat(service.maybe(1)).isEmpty();
		assertThat(service.maybe(1)).as("#result == null: empty Optional not cached").isEmpty();
		assertThat(this.loads).hasValue(2);
		assertThat(service.maybe(2)).contains(new Vet(2, "skip"));
		assertThat(service.maybe(2)).contains(new Vet(2, "skip"));
		assertThat(this.loads).as("#result?.name == 'skip': not cached").hasValue(4);
		assertThat(service.maybe(3)).contains(new Vet(3, "Vet 3"));
		assertThat(service.maybe(3)).contains(new Vet(3, "Vet 3"));
		assertThat(this.loads).hasValue(5);
	}

	@Test
	void monoAndFluxResultsAreCachedAsTheirElementsAndReadByAnotherInstance() {
		VetService first = start().getBean(VetService.class);
		VetService second = start().getBean(VetService.class);
		assertThat(first.reactiveVet(4).block()).isEqualTo(new Vet(4, "Vet 4"));
		assertThat(second.reactiveVet(4).block()).isEqualTo(new Vet(4, "Vet 4"));
		assertThat(first.reactiveVets().collectList().block()).containsExactly(new Vet(1, "James"), new Vet(2, "Helen"));
		assertThat(second.reactiveVets().collectList().block()).containsExactly(new Vet(1, "James"), new Vet(2, "Helen"));
		assertThat(this.loads).as("one load each; the second instance decoded Redis").hasValue(2);
	}

	@Test
	void typeVariableBoundByTheBeanClassIsDecodedAsTheBoundType() {
		VetRepository first = start().getBean(VetRepository.class);
		VetRepository second = start().getBean(VetRepository.class);
		assertThat(first.find(5)).isEqualTo(new Vet(5, "Vet 5"));
		Vet fromRedis = second.find(5);
		assertThat(fromRedis).isEqualTo(new Vet(5, "Vet 5"));
		assertThat(this.loads).hasValue(1);
	}

	@Test
	void typeVariableTheBeanDoesNotBindIsRefusedNamingTheMethod() {
		UnboundRepository<?> repository = start().getBean(UnboundRepository.class);
		assertThatIllegalStateException().isThrownBy(() -> repository.find(1))
			.withMessageContaining("UnboundRepository.find(long)")
			.withMessageContaining("does not resolve to concrete classes");
	}

	@Test
	void cacheableReadingAnEntryOfAnotherTypeLoadsAndReplacesItInsteadOfFailing() {
		VetService first = start().getBean(VetService.class);
		VetService second = start().getBean(VetService.class);
		assertThat(first.asText()).isEqualTo("forty-two");
		assertThat(second.asNumber()).isEqualTo(42);
		assertThat(start().getBean(VetService.class).asNumber()).as("replaced in Redis").isEqualTo(42);
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void cacheAsideLoaderThatCallsItselfFailsFastNamingCacheAndKey() {
		VetService service = start().getBean(VetService.class);
		assertThatIllegalStateException().isThrownBy(() -> service.recursive(7))
			.withMessageContaining("Recursive load of key '7' in cache 'books'");
	}

	@Test
	void failingSynchronizedCacheableRunsOnceWithALenientErrorHandler() {
		ConfigurableApplicationContext context = this.contexts.start(LenientApplication.class,
				Map.of("loads", this.loads));
		FailingService service = context.getBean(FailingService.class);
		assertThatIllegalStateException().isThrownBy(() -> service.failing(1)).withMessage("database down");
		assertThat(this.loads).as("the method ran once, not again after the cache error").hasValue(1);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class LenientApplication implements CachingConfigurer {

		@Override
		public CacheErrorHandler errorHandler() {
			return new LoggingCacheErrorHandler();
		}

		@Bean
		FailingService failingService(AtomicInteger loads) {
			return new FailingService(loads);
		}

	}

	static class FailingService {

		private final AtomicInteger loads;

		FailingService(AtomicInteger loads) {
			this.loads = loads;
		}

		@Cacheable(cacheNames = "books", sync = true)
		public String failing(long id) {
			this.loads.incrementAndGet();
			throw new IllegalStateException("database down");
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class ContractApplication {

		@Bean
		VetService vetService(AtomicInteger loads) {
			return new VetService(loads);
		}

		@Bean
		VetRepository vetRepository(AtomicInteger loads) {
			return new VetRepository(loads);
		}

		@Bean
		UnboundRepository<Vet> unboundRepository() {
			return new UnboundRepository<>();
		}

	}

	static class VetService {

		private final AtomicInteger loads;

		private VetService self;

		VetService(AtomicInteger loads) {
			this.loads = loads;
		}

		@Autowired
		void setSelf(@Lazy VetService self) {
			this.self = self;
		}

		@Cacheable("vets")
		public List<Vet> vets() {
			this.loads.incrementAndGet();
			return List.of(new Vet(1, "James"));
		}

		@CacheAside(cache = "books", key = "#id", unless = "#result == null or #result?.name == 'skip'")
		public Optional<Vet> maybe(long id) {
			this.loads.incrementAndGet();
			return (id == 1) ? Optional.empty() : Optional.of(new Vet(id, (id == 2) ? "skip" : "Vet " + id));
		}

		@Cacheable("reactive")
		public Mono<Vet> reactiveVet(long id) {
			return Mono.fromSupplier(() -> {
				this.loads.incrementAndGet();
				return new Vet(id, "Vet " + id);
			});
		}

		@Cacheable(cacheNames = "reactive", key = "'all'")
		public Flux<Vet> reactiveVets() {
			return Flux.defer(() -> {
				this.loads.incrementAndGet();
				return Flux.just(new Vet(1, "James"), new Vet(2, "Helen"));
			});
		}

		@Cacheable(cacheNames = "shared", key = "'k'")
		public String asText() {
			this.loads.incrementAndGet();
			return "forty-two";
		}

		@Cacheable(cacheNames = "shared", key = "'k'")
		public Integer asNumber() {
			this.loads.incrementAndGet();
			return 42;
		}

		@CacheAside(cache = "books", key = "#id")
		public String recursive(long id) {
			return "outer " + this.self.recursive(id);
		}

	}

	abstract static class Repository<T> {

		@Cacheable("generic")
		public T find(long id) {
			return load(id);
		}

		abstract T load(long id);

	}

	static class VetRepository extends Repository<Vet> {

		private final AtomicInteger loads;

		VetRepository(AtomicInteger loads) {
			this.loads = loads;
		}

		@Override
		Vet load(long id) {
			this.loads.incrementAndGet();
			return new Vet(id, "Vet " + id);
		}

	}

	static class UnboundRepository<T> {

		@Cacheable("unbound")
		public T find(long id) {
			throw new AssertionError("never called: the cache refuses the method first");
		}

	}

}
