package dev.tiercache.autoconfigure;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.aopalliance.aop.Advice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.config.CacheManagementConfigUtils;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheInterceptor;
import org.springframework.cache.interceptor.LoggingCacheErrorHandler;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.tiercache.interceptor.SpringCacheInterceptor;
import dev.tiercache.outside.ExternalEntity;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring's own {@code @Cacheable} and {@code @CacheEvict} on the tiered manager, with values JSON
 * cannot round-trip: a {@code Page<Dto>} and a mutable serializable entity.
 */
class SpringCacheableIntegrationTests {

	private final TestContexts contexts = new TestContexts();

	private final AtomicInteger loads = new AtomicInteger();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void close() {
		this.contexts.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		return this.contexts.start(VetApplication.class, Map.of("loads", this.loads, "release", this.release),
				properties);
	}

	@Test
	void pageOfDtosIsReadFromRedisByAnotherInstanceWithoutLoading() {
		VetService first = start().getBean(VetService.class);
		VetService second = start().getBean(VetService.class);
		Page<Vet> page = first.vets(0);
		Page<Vet> fromRedis = second.vets(0);
		assertThat(fromRedis.getContent()).isEqualTo(page.getContent());
		assertThat(fromRedis.getTotalElements()).isEqualTo(25);
		assertThat(fromRedis.getPageable()).isEqualTo(PageRequest.of(0, 5));
		assertThat(this.loads).hasValue(1);
	}

	@Test
	void serializableEntityIsReadFromRedisByAnotherInstanceWithoutLoading() {
		VetService first = start().getBean(VetService.class);
		VetService second = start().getBean(VetService.class);
		Owner owner = first.owner(7);
		Owner fromRedis = second.owner(7);
		assertThat(fromRedis.getId()).isEqualTo(owner.getId());
		assertThat(fromRedis.getPets()).containsExactly("Rex", "Tom");
		assertThat(this.loads).hasValue(1);
	}

	@Test
	void synchronizedCacheableLoadsOnceAcrossInstances() throws Exception {
		List<ConfigurableApplicationContext> contexts = List.of(start(), start());
		List<VetService> instances = contexts.stream().map((context) -> context.getBean(VetService.class)).toList();
		ExecutorService executor = Executors.newFixedThreadPool(16);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Vet>> results = new ArrayList<>();
			for (int i = 0; i < 16; i++) {
				VetService service = instances.get(i % 2);
				results.add(executor.submit(() -> {
					go.await();
					return service.slowVet(9);
				}));
			}
			go.countDown();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.loads.get() == 1 && contexts.stream()
				.map((context) -> context.getBean(TieredCacheManager.class).getTieredCache("pages").stats())
				.mapToLong((stats) -> stats.localWaits() + stats.remoteWaits())
				.sum() == 15);
			this.release.countDown();
			for (Future<Vet> result : results) {
				assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(new Vet(9, "Vet 9"));
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(this.loads).hasValue(1);
	}

	@Test
	void cacheEvictRemovesTheEntryForEveryInstanceReadingRedis() {
		VetService first = start().getBean(VetService.class);
		VetService second = start("tiercache.caches.owners.mode=remote").getBean(VetService.class);
		first.owner(7);
		first.evictOwner(7);
		second.owner(7);
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void serializedClassOutsideTheAllowListIsRefusedDeletedAndCounted() {
		ConfigurableApplicationContext permissive = start("tiercache.serialization.allowed-packages=dev.tiercache.outside");
		ConfigurableApplicationContext strict = start();
		permissive.getBean(VetService.class).external(1);
		StringRedisTemplate redis = permissive.getBean(StringRedisTemplate.class);
		String key = this.contexts.prefix + ":{external:0:#l:1}";
		assertThat(redis.hasKey(key)).isTrue();
		ExternalEntity reloaded = strict.getBean(VetService.class).external(1);
		assertThat(reloaded.id()).isEqualTo(1);
		assertThat(this.loads).as("the refused entry was a miss").hasValue(2);
		assertThat(strict.getBean(TieredCacheManager.class).getTieredCache("external").stats().decodeFailures())
			.isEqualTo(1);
		assertThat(redis.hasKey(key)).as("refused entry deleted, and not re-stored by the strict instance").isFalse();
	}

	/**
	 * Issue 19: {@code @Cacheable} takes Tiercache's fast path by default (it counts the load, which
	 * Spring's get-then-put does not), and {@code tiercache.spring-annotations=spring} leaves it to
	 * Spring's interceptor.
	 */
	@Test
	void cacheableTakesTheFastPathUnlessSpringAnnotationsIsSpring() {
		ConfigurableApplicationContext fast = start();
		ConfigurableApplicationContext spring = start("tiercache.spring-annotations=spring");
		assertThat(cacheAdvice(fast)).isInstanceOf(SpringCacheInterceptor.class);
		assertThat(cacheAdvice(spring)).isExactlyInstanceOf(CacheInterceptor.class);
		fast.getBean(VetService.class).owner(3);
		spring.getBean(VetService.class).owner(4);
		assertThat(fast.getBean(TieredCacheManager.class).getTieredCache("owners").stats().loads()).isEqualTo(1);
		assertThat(spring.getBean(TieredCacheManager.class).getTieredCache("owners").stats().loads()).isZero();
		assertThat(this.loads).hasValue(2);
	}

	/**
	 * Issue 19: an application's own {@code CachingConfigurer} makes Tiercache's resolver back off, and
	 * values still decode to the method's type on another instance: the fast path reads them typed.
	 */
	@Test
	void withTheApplicationsOwnCachingConfigurerValuesReadFromRedisAreStillOfTheMethodsType() {
		VetService first = this.contexts.start(OwnConfigurerApplication.class,
				Map.of("loads", this.loads, "release", this.release)).getBean(VetService.class);
		VetService second = this.contexts.start(OwnConfigurerApplication.class,
				Map.of("loads", this.loads, "release", this.release)).getBean(VetService.class);
		assertThat(first.vet(5)).isEqualTo(new Vet(5, "Vet 5"));
		assertThat(second.vet(5)).isEqualTo(new Vet(5, "Vet 5"));
		assertThat(this.loads).hasValue(1);
	}

	private static Advice cacheAdvice(ConfigurableApplicationContext context) {
		return context.getBean(CacheManagementConfigUtils.CACHE_ADVISOR_BEAN_NAME,
				AbstractBeanFactoryPointcutAdvisor.class).getAdvice();
	}

	record Vet(long id, String name) implements Serializable {
	}

	/** A JPA-style entity: mutable, no JSON creator, Serializable. */
	static class Owner implements Serializable {

		private Long id;

		private final List<String> pets = new ArrayList<>();

		protected Owner() {
		}

		Owner(Long id) {
			this.id = id;
		}

		public Long getId() {
			return this.id;
		}

		public List<String> getPets() {
			return this.pets;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class VetApplication {

		@Bean
		VetService vetService(AtomicInteger loads, CountDownLatch release) {
			return new VetService(loads, release);
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class OwnConfigurerApplication {

		@Bean
		VetService vetService(AtomicInteger loads, CountDownLatch release) {
			return new VetService(loads, release);
		}

		@Bean
		CachingConfigurer cachingConfigurer() {
			return new CachingConfigurer() {

				@Override
				public CacheErrorHandler errorHandler() {
					return new LoggingCacheErrorHandler();
				}

			};
		}

	}

	static class VetService {

		private final AtomicInteger loads;

		private final CountDownLatch release;

		VetService(AtomicInteger loads, CountDownLatch release) {
			this.loads = loads;
			this.release = release;
		}

		@Cacheable("pages")
		public Page<Vet> vets(int page) {
			this.loads.incrementAndGet();
			List<Vet> content = List.of(new Vet(1, "James"), new Vet(2, "Helen"), new Vet(3, "Linda"),
					new Vet(4, "Rafael"), new Vet(5, "Henry"));
			return new PageImpl<>(content, PageRequest.of(page, 5), 25);
		}

		@Cacheable("owners")
		public Owner owner(long id) {
			this.loads.incrementAndGet();
			Owner owner = new Owner(id);
			owner.getPets().addAll(List.of("Rex", "Tom"));
			return owner;
		}

		@Cacheable(cacheNames = "pages", key = "'vet:' + #id", sync = true)
		public Vet slowVet(long id) throws InterruptedException {
			this.loads.incrementAndGet();
			this.release.await(30, TimeUnit.SECONDS);
			return new Vet(id, "Vet " + id);
		}

		@Cacheable(cacheNames = "pages", key = "'plain-vet:' + #id")
		public Vet vet(long id) {
			this.loads.incrementAndGet();
			return new Vet(id, "Vet " + id);
		}

		@CacheEvict("owners")
		public void evictOwner(long id) {
		}

		@Cacheable("external")
		public ExternalEntity external(long id) {
			this.loads.incrementAndGet();
			return new ExternalEntity(id);
		}

	}

}
