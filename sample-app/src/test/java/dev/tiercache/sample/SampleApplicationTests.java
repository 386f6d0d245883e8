package dev.tiercache.sample;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@SpringBootTest(properties = "sample.catalogue-latency=20ms")
@AutoConfigureMockMvc
class SampleApplicationTests {

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", TestRedis::host);
		registry.add("spring.data.redis.port", TestRedis::port);
		registry.add("tiercache.key-prefix", TestRedis::uniquePrefix);
	}

	@Autowired
	private MockMvc mvc;

	@Autowired
	private BookCatalogue catalogue;

	@Autowired
	private TieredCacheManager caches;

	@Test
	void repeatedReadsOfABookLookItUpOnce() throws Exception {
		long lookups = this.catalogue.lookups();
		long localHits = this.caches.getTieredCache("books").stats().localHits();
		for (int i = 0; i < 3; i++) {
			this.mvc.perform(get("/books/1")).andExpect(status().isOk()).andExpect(jsonPath("$.title").value("Dune"));
		}
		assertThat(this.catalogue.lookups() - lookups).isEqualTo(1);
		assertThat(this.caches.getTieredCache("books").stats().localHits() - localHits).isEqualTo(2);
		this.mvc.perform(get("/caches/books")).andExpect(status().isOk()).andExpect(jsonPath("$.loads").isNumber());
	}

	@Test
	void unknownBookIsNotFoundAndCachedAsNotFound() throws Exception {
		long before = this.catalogue.lookups();
		this.mvc.perform(get("/books/404")).andExpect(status().isNotFound());
		this.mvc.perform(get("/books/404")).andExpect(status().isNotFound());
		assertThat(this.catalogue.lookups() - before).isEqualTo(1);
	}

}
