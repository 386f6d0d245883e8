package dev.tiercache.petclinic;

import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;

import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7: Spring PetClinic's case. A second instance reads a cached {@code Page<Vet>} of Hibernate
 * entities with an initialised {@code @ManyToMany} collection from Redis, with no query: Hibernate's
 * persistent collections are allowed by default. Each instance has its own H2 database; the second
 * one's is empty, so the page can only come from the cache.
 */
class HibernateEntitiesIntegrationTests {

	private final String prefix = TestRedis.uniquePrefix();

	private final List<ConfigurableApplicationContext> contexts = new java.util.ArrayList<>();

	@AfterEach
	void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	private ConfigurableApplicationContext start() {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(JpaApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
					"tiercache.key-prefix=" + this.prefix, "spring.main.banner-mode=off",
					"spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
					"spring.jpa.hibernate.ddl-auto=create-drop",
					"spring.jpa.properties.hibernate.generate_statistics=true")
			.run();
		this.contexts.add(context);
		return context;
	}

	@Test
	void pageOfEntitiesWithInitialisedCollectionsIsReadFromRedisWithoutAQuery() {
		ConfigurableApplicationContext first = start();
		seed(first);
		ConfigurableApplicationContext second = start();
		PageRequest request = PageRequest.of(0, 5, Sort.by("name"));
		Page<Vet> loaded = first.getBean(VetRepository.class).findAllBy(request);
		assertThat(loaded.getContent()).extracting(Vet::getName).containsExactly("Helen Leary", "James Carter");
		Statistics statistics = second.getBean(EntityManagerFactory.class).unwrap(SessionFactory.class).getStatistics();
		statistics.clear();
		Page<Vet> fromRedis = second.getBean(VetRepository.class).findAllBy(request);
		assertThat(statistics.getPrepareStatementCount()).as("no query on the second instance").isZero();
		assertThat(fromRedis.getTotalElements()).isEqualTo(2);
		assertThat(fromRedis.getContent()).extracting(Vet::getName).containsExactly("Helen Leary", "James Carter");
		assertThat(fromRedis.getContent().get(0).getSpecialties()).extracting(Specialty::getName)
			.containsExactlyInAnyOrder("radiology", "surgery");
		assertThat(second.getBean(TieredCacheManager.class).getTieredCache("vets").stats().decodeFailures()).isZero();
	}

	private static void seed(ConfigurableApplicationContext context) {
		jakarta.persistence.EntityManager entityManager = context.getBean(EntityManagerFactory.class)
			.createEntityManager();
		entityManager.getTransaction().begin();
		Specialty radiology = new Specialty(1L, "radiology");
		Specialty surgery = new Specialty(2L, "surgery");
		entityManager.persist(radiology);
		entityManager.persist(surgery);
		Vet helen = new Vet(1L, "Helen Leary");
		helen.getSpecialties().addAll(List.of(radiology, surgery));
		entityManager.persist(helen);
		entityManager.persist(new Vet(2L, "James Carter"));
		entityManager.getTransaction().commit();
		entityManager.close();
	}

}
