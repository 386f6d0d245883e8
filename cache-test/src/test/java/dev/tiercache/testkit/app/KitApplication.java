package dev.tiercache.testkit.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.WriteBehind;

/**
 * The application the kit's tests run: a catalogue read through {@code @CacheAside} and prices written
 * behind to a store in memory, standing in for a database.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class KitApplication {

	@Bean
	Catalogue catalogue() {
		return new Catalogue();
	}

	/** Products by id, each read counted, and their prices (read through the proxy's methods, not fields). */
	public static class Catalogue {

		private final AtomicInteger reads = new AtomicInteger();

		private final Map<Long, Long> prices = new ConcurrentHashMap<>();

		public int reads() {
			return this.reads.get();
		}

		public Map<Long, Long> prices() {
			return this.prices;
		}

		@CacheAside(cache = "products", key = "#id")
		public String find(long id) {
			this.reads.incrementAndGet();
			return "product " + id;
		}

		@WriteBehind(cache = "prices", key = "#id", value = "#price")
		public void savePrice(long id, long price) {
			this.prices.put(id, price);
		}

	}

}
